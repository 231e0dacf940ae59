import Results
import Testing
@testable import Reports

/// The terminal summary `bench run` prints by default: one screen, kernel first, cut by rule.
@Suite struct TerminalSummaryTests {
    static let sections = ReportSections(rows: FullRunFixture.rows, safety: FullRunFixture.safety)

    func summary(files: [String] = FullRunFixture.files, rows: [ResultRow] = FullRunFixture.rows) -> TerminalSummary {
        TerminalSummary(description: FullRunFixture.description, rows: rows, safety: FullRunFixture.safety,
                        sections: Self.sections, files: files)
    }

    @Test func aFullRunFitsOneScreen() {
        let lines = summary().lines()
        #expect(lines.count <= TerminalSummary.maxLines, "\(lines.count) lines:\n\(lines.joined(separator: "\n"))")
        for l in lines { #expect(l.count <= MailReport.width, "\(l)") }
    }

    @Test func itOpensWithTheHostThenTheKernelTable() throws {
        let lines = summary().lines()
        #expect(lines[0].hasPrefix("Machine: vm, AMD EPYC"))
        // The kernel's own refcounts first, then the policies' table, then the native headline.
        let native = try #require(lines.firstIndex { $0.hasPrefix("the kernel's own refcounts") })
        let title = try #require(lines.firstIndex { $0.hasPrefix("strategies in the kernel") })
        let model = lines.firstIndex { $0.contains(RunClaims.modelHeading.prefix(20)) }
        #expect(model == nil, "the model's claims stay in the files")
        #expect(native < 8 && native < title)
        let headline = try #require(lines.firstIndex { $0.hasPrefix("- The kernel's own percpu_ref") })
        #expect(headline > title)
    }

    @Test func oneLineEachForOwnershipAndSafetyAndTheFiles() throws {
        let text = summary().render()
        let safety = try #require(summary().safetyLine)
        #expect(safety.hasPrefix("safety: 8 scenarios × 6 strategies × 2 reuse rules: 74 safe, 0 leak, 22 use-after-free"), "\(safety)")
        #expect(safety.hasSuffix("see Results/20261205-015604-ad0b5e6-5414-9113.txt"))
        #expect(text.contains("ownership: one live object pins percpu-ref's allocator"))
        #expect(text.contains("the kernel makes one in 8.165 µs"))
        #expect(text.contains("Results/20261205-015604-ad0b5e6-5414-9113.{csv,md,txt,json}"))
    }

    /// Many kernel rows cannot overflow the screen: the table is cut and says where the rest is.
    @Test func aTableTooLongIsCutWithAPointer() {
        var rows = FullRunFixture.rows
        // Twice the sizes: twice the kernel tables.
        rows += rows.filter { $0.strategy.hasPrefix("kernel") && $0.size == 64 }.map { var r = $0; r.size = 128; return r }
        let lines = summary(rows: rows).lines()
        #expect(lines.count <= TerminalSummary.maxLines)
        // Cut rows ("… 28 unresolved rows in …") and a table with no room ("(36 kernel table rows
        // in …)") both say where they are.
        #expect(lines.contains { $0.hasPrefix("… ") && $0.contains("rows in Results/") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("(") && $0.contains("rows in Results/") })
    }

    @Test func withoutKernelRowsItShowsTheRunsClaims() {
        let rows = FullRunFixture.rows.filter { !$0.strategy.hasPrefix("kernel") }
        let lines = TerminalSummary(description: FullRunFixture.description, rows: rows, safety: [],
                                    sections: ReportSections(rows: rows), files: []).lines()
        #expect(lines.count <= TerminalSummary.maxLines)
        #expect(lines.contains("No kernel rows in this run; its claims:"))
        #expect(lines.last?.contains("--full-report") == true)
    }
}
