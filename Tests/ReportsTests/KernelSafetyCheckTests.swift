import Results
import Testing
@testable import Reports

/// A kernel check goes to rows and comes back whole; a refused shape has only its legality row.
struct KernelSafetyCheckTests {
    static func legal(_ scenario: String, _ a: Int, _ d: Int, _ l: Int, window: Double? = nil, reports: Int? = 0) -> KernelSafetyCheck {
        KernelSafetyCheck(scenario: scenario, legal: true, evidence: "8 programs verified; model only: the allocator map's kill",
                          allocated: a, dropped: d, left: l, mapsLeft: 0, kernelReports: reports, windowUs: window, threads: 2, cpus: "0-1")
    }
    static let refused = KernelSafetyCheck(scenario: KernelSafetyCheck.refusedShape, legal: false,
                                           evidence: "the verifier refused sf_exit_holding: Unreleased reference id=2", threads: 1, cpus: "0-1")

    @Test func rowsRoundTrip() {
        let checks = [Self.legal("in-flight-at-kill", 4, 4, 0, window: 2023), Self.refused]
        let rows = checks.flatMap { $0.rows(context: makeRow(value: 1)) }
        #expect(rows.count == 7 + 1)
        #expect(rows.allSatisfy { $0.strategy == "kernel" && $0.phase == .scenario })
        #expect(KernelSafetyCheck.all(in: rows + [makeRow(value: 1)]) == checks)
    }

    @Test func accountingNeedsEveryObject() {
        #expect(Self.legal("pinned-map", 9, 2, 7).clean)
        #expect(!Self.legal("pinned-map", 9, 2, 6).accounted)
        #expect(!Self.legal("pinned-map", 9, 2, 7, reports: 1).clean)
        #expect(!Self.refused.accounted && !Self.refused.clean)
    }
}

/// The kernel's table, its row beside the verdicts, and findings that say what the model alone carries.
struct KernelSafetyTableTests {
    static let checks = [KernelSafetyCheckTests.legal("map-in-map-escape", 1, 0, 1), KernelSafetyCheckTests.legal("concurrent-walk", 8, 2, 6),
                         KernelSafetyCheckTests.refused]

    @Test func theKernelRowSitsUnderTheVerdicts() throws {
        let s = SafetySections(verdicts: SafetySectionsTests.verdicts, kernel: Self.checks)
        let matrix = try #require(s.tables.first)
        #expect(matrix.rows.last == ["in the kernel", "legal", "legal"])
        let table = try #require(s.tables.first { $0.title.hasPrefix("In the kernel") })
        #expect(table.rows == [["#1", "map-in-map-escape", "1 = 0 + 1", "0", "clean", ""],
                               ["#2", "concurrent-walk", "8 = 2 + 6", "0", "clean", ""],
                               ["—", "exit holding", "not legal", "", "", ""]])
    }

    @Test func findingsPutTheKernelFirstAndNameTheModelledStep() throws {
        let s = SafetySections(verdicts: SafetySectionsTests.verdicts, kernel: Self.checks)
        #expect(s.findings.first?.hasPrefix("In the kernel every one of the 2 sequences is legal") == true)
        #expect(s.findings.contains { $0.contains("come from a step the kernel does not have") })
        #expect(s.findings.contains { $0.contains("is refused: the verifier refused sf_exit_holding") })
        #expect(!s.findings.contains { $0.hasPrefix("The unload landed inside") }, "no window, no race claimed")
        #expect(s.findings.contains("Only the model carries: the allocator map's kill (every sequence); lazy's used_allocators put at the walk (#2)."))
    }

    /// A window is a race that landed inside the run: named with its scenario and length.
    @Test func aRaceInsideARunIsNamed() {
        let checks = [KernelSafetyCheckTests.legal("map-in-map-escape", 1, 0, 1), KernelSafetyCheckTests.legal("concurrent-walk", 8, 2, 6, window: 25.1)]
        let s = SafetySections(verdicts: SafetySectionsTests.verdicts, kernel: checks)
        #expect(s.findings.contains("The unload landed inside one holding run in #2 concurrent-walk (a run of 25.10 µs); the CSV's evidence gives where in it."))
    }

    /// An unaccounted object or an accepted illegal shape is said, never hidden.
    @Test func aBrokenKernelRunIsSaid() throws {
        var bad = Self.checks
        bad[1] = KernelSafetyCheckTests.legal("concurrent-walk", 8, 2, 5)
        bad[2].legal = true
        let s = SafetySections(verdicts: SafetySectionsTests.verdicts, kernel: bad)
        #expect(try #require(s.tables.first).rows.last == ["in the kernel", "legal", "legal !"])
        #expect(s.findings.contains { $0.contains("concurrent-walk: legal but") && $0.contains("objects NOT accounted") })
        #expect(s.findings.contains { $0.contains("was NOT refused") })
    }
}
