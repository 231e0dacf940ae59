import Results
import Testing
@testable import Reports

struct SafetySectionsTests {
    static func verdict(_ scenario: String, _ strategy: String, _ kind: SafetyVerdict.Kind, expected: SafetyVerdict.Kind? = nil,
                        label: String? = nil) -> SafetyVerdict {
        SafetyVerdict(scenario: scenario, title: scenario, strategy: strategy, kind: kind, label: label ?? kind.rawValue,
                      expected: expected ?? kind, evidence: "first event of \(strategy) in \(scenario)", iterations: 100,
                      faultyIterations: kind == .safe ? 0 : 7, threads: 2, cpus: "0-1", size: 64)
    }

    static let verdicts = [
        verdict("map-in-map-escape", "atomic", .safe),
        verdict("map-in-map-escape", "lazy", .useAfterFree),
        verdict("concurrent-walk", "atomic", .leak, expected: .safe, label: "leak (3 objects, 192 B)"),
        verdict("concurrent-walk", "lazy", .useAfterFree),
    ]

    @Test func matrixMarksVerdictsThatDifferFromTheExpectation() throws {
        let s = SafetySections(verdicts: Self.verdicts)
        let matrix = try #require(s.tables.first)
        #expect(matrix.header == ["strategy", "#1", "#2"])
        #expect(matrix.rows == [["atomic", "safe", "leak 3 *"], ["lazy", "UAF", "UAF"]])
        #expect(s.tables.count == 1)  // no performance rows: no cost table
        #expect(s.findings.contains { $0.contains("atomic, #2 concurrent-walk: leak (3 objects, 192 B)") && $0.contains("NOT the expected safe") })
        #expect(s.findings.last == "1 of 4 safety verdicts differ from the expectation table.")
    }

    @Test func costTableLinksPerformanceToVerdicts() throws {
        let rows = [
            makeRow(strategy: "atomic", metric: .nsPerOp, value: 17), makeRow(strategy: "atomic", repetition: 1, metric: .nsPerOp, value: 19),
            makeRow(strategy: "lazy", metric: .nsPerOp, value: 4),
            makeRow(strategy: "lazy", phase: .kill, op: .walk, metric: .latencyUs, value: 750),
            // A real run's host calibration (size 0) and footprint rows (other sizes) must not pick the table's case.
            makeRow(strategy: "host", workload: "clock", phase: .calibration, op: .tsc, size: 0, metric: .resolutionNs, value: 10),
            makeRow(strategy: "atomic", workload: "2cpu-1node", phase: .own, op: .sizeClass(16), size: 16, metric: .bytesKernel, value: 9),
        ]
        let s = SafetySections(verdicts: Self.verdicts, rows: rows)
        let cost = try #require(s.tables.last)
        #expect(cost.header == ["strategy", "live", "free", "kill", "walk", "hazards"])
        #expect(cost.rows == [["atomic", ResultCell.format(18), "", "", "", "leak #2*"],
                              ["lazy", ResultCell.format(4), "", "", ResultCell.format(750), "UAF #1 #2"]])
    }

    @Test func verdictRowRoundTripsThroughTheCSV() throws {
        let v = Self.verdicts[2]
        let row = v.row(context: makeRow(value: nil))
        let back = try #require(try ResultsCSV.decode(ResultsCSV.encode([row]), file: "v.csv").first)
        #expect(back.metric == .verdict && back.phase == .scenario && back.workload == "concurrent-walk")
        #expect(back.value == 1)
        #expect(back.unit == "leak (3 objects, 192 B); expected safe; 7/100 iterations faulty; first event of atomic in concurrent-walk")
    }

    @Test func allSafeSaysSoAndMailStaysNarrow() {
        let verdicts = ["a-very-long-scenario-name-one", "another-long-scenario-name", "third", "fourth", "fifth"].flatMap { sc in
            ["atomic", "percpu-ref", "kmem-cache"].map { Self.verdict(sc, $0, .safe) }
        }
        let sections = ReportSections(rows: [], safety: verdicts)
        #expect(sections.findings.last == "All 15 safety verdicts match the expectation table.")
        let d = RunDescription(runID: "r", command: "bench scenarios", host: "h", cpuModel: "c", cpus: "0-1", nodes: 1,
                               kernel: "k", swift: "6", build: "debug", commit: "abc", timestamp: "t", settings: "s", notes: [])
        for line in MailReport.render(d, sections).split(separator: "\n") { #expect(line.count <= MailReport.width, "\(line)") }
    }
}
