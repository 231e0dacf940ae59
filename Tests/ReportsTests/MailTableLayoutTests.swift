import Testing
@testable import Reports

/// Every line of the mail text fits 75 columns, whatever the tables hold.
@Suite struct MailTableLayoutTests {
    @Test func everyLineOfAFullRunsMailFits() {
        let mail = MailReport.render(FullRunFixture.description, ReportSections(rows: FullRunFixture.rows, safety: FullRunFixture.safety))
        let wide = mail.split(separator: "\n").filter { $0.count > MailReport.width }
        #expect(wide.isEmpty, "\(wide.count) lines over \(MailReport.width):\n\(wide.joined(separator: "\n"))")
    }

    @Test func kernelNamesAreShortenedWithALegend() {
        let t = ReportSections.Table(title: "t", header: ["strategy", "thr", "a", "b"],
                                     rows: [["kernel-percpu-ref", "1", String(repeating: "9", count: 30), String(repeating: "8", count: 20)]])
        let lines = MailTableLayout.lines(t, width: 75)
        #expect(lines.allSatisfy { $0.count <= 75 })
        #expect(lines[2].hasPrefix("k-percpu-ref"))
        #expect(lines.last == MailTableLayout.legend)
    }

    @Test func aTableTooWideIsSplitRepeatingItsKey() {
        let t = ReportSections.Table(title: "t", header: ["strategy", "thr", "a", "b", "c"],
                                     rows: [["atomic", "2"] + (0..<3).map { _ in String(repeating: "7", count: 28) }])
        let lines = MailTableLayout.lines(t, width: 75)
        #expect(lines.allSatisfy { $0.count <= 75 })
        #expect(lines.contains("(continued)"))
        // Key 17 + one 28-wide column each: no two fit 75, so three stacked parts.
        #expect(lines.filter { $0.hasPrefix("atomic   |   2 |") }.count == 3)
    }

    @Test func aCellWiderThanTheMailBecomesWrappedProse() {
        let t = ReportSections.Table(title: "t", header: ["strategy", "hazards"], rows: [["lazy", String(repeating: "UAF #1 ", count: 20)]])
        let lines = MailTableLayout.lines(t, width: 75)
        #expect(lines.allSatisfy { $0.count <= 75 })
        #expect(lines.first?.hasPrefix("lazy: hazards UAF #1") == true)
    }

    @Test func aPathLongerThanALineIsCutAfterASlash() {
        let lines = TextWrap.wrap("Note: under /sys/fs/cgroup/memory/process_api/087779b6f223937544af21f46004e9f1/memalloc-bench-5414",
                                  width: 40, restPrefix: "  ")
        #expect(lines.allSatisfy { $0.count <= 40 }, "\(lines)")
        #expect(lines.joined().replacingOccurrences(of: " ", with: "").contains("087779b6f223937544af21f46004e9f1/memalloc-bench-5414"))
        #expect(lines[1].hasSuffix("/"))
    }
}
