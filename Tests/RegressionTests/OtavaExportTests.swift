import Foundation
import Results
import Testing
@testable import Regression

/// `bench history export --otava`: what Otava 0.8.0's CSV importer and config loader read
/// (`scripts/ci-history-checks` runs Otava itself on an export).
struct OtavaExportTests {
    /// A run of `host` at commit `c`: case atomic/pair (ns_per_op, and mops unless `withoutMops`).
    func entry(_ host: String, commit c: Int, ns: Double, withoutMops: Bool = false) -> HistoryStore.Entry {
        let metrics: [(Metric, Double)] = withoutMops ? [(.nsPerOp, ns)] : [(.nsPerOp, ns), (.mops, 1000 / ns)]
        let rows = metrics.enumerated().map { i, m in
            LocatedRow(line: i + 2, row: makeRow(metric: m.0, value: m.1, runID: "r\(c)\(host)", host: host))
        }
        return HistoryStore.Entry(file: "/h/2026120\(c + 1)T120000Z_c\(c)_r\(c)\(host).csv", commit: "c\(c)",
                                  commitDate: "2026120\(c + 1)T120000Z", rows: rows)
    }

    @Test func oneCSVPerMachineAndCaseWithTimeCommitAndMetrics() throws {
        let entries = (0..<3).flatMap { c in [entry("bench-a", commit: c, ns: 7 + Double(c) / 10), entry("bench-b", commit: c, ns: 11.2)] }
        let report = try HistoryReport(entries: entries, directory: "/h")
        let export = OtavaExport(report)
        #expect(export.tests.map(\.name) == ["bench-a.atomic.pair.live.pair.t1.64B", "bench-b.atomic.pair.live.pair.t1.64B"])
        let lines = export.tests[0].csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "time,commit,run,ns_per_op,mops")
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("2026-12-01T12:00:00Z,c0,r0bench-a,"))
        // The values as `bench history` has them, digit for digit.
        let values = lines.dropFirst().map { Double($0.split(separator: ",")[3])! }
        #expect(values == report.series[0].points.map(\.value))
        #expect(export.tests[0].metrics == [.init(name: "ns_per_op", direction: -1), .init(name: "mops", direction: 1)])

        let files = export.files(in: "/out")
        #expect(files.map(\.path) == ["/out/bench-a.atomic.pair.live.pair.t1.64B.csv", "/out/bench-b.atomic.pair.live.pair.t1.64B.csv",
                                      "/out/otava.yaml"])
        let config = files.last!.contents
        #expect(config.contains("""
              "bench-a.atomic.pair.live.pair.t1.64B":
                type: csv
                file: "/out/bench-a.atomic.pair.live.pair.t1.64B.csv"
                time_column: time
                attributes: [commit, run]
                metrics:
                  "ns_per_op": {column: "ns_per_op", direction: -1}
                  "mops": {column: "mops", direction: 1}

            """))
        #expect(config.hasSuffix("""
            test_groups:
              "bench-a":
                - "bench-a.atomic.pair.live.pair.t1.64B"
              "bench-b":
                - "bench-b.atomic.pair.live.pair.t1.64B"

            """))
        #expect(config.contains("--since 2026-12-01T12:00:00Z bench-a\n"))
    }

    /// Otava's reader takes no empty cell: a metric missing from some runs gets a test of its own.
    @Test func aMetricOfOtherRunsIsATestOfItsOwn() throws {
        let entries = [entry("h", commit: 0, ns: 7, withoutMops: true), entry("h", commit: 1, ns: 7), entry("h", commit: 2, ns: 7)]
        let export = OtavaExport(try HistoryReport(entries: entries, directory: "/h"))
        #expect(export.tests.map(\.name) == ["h.atomic.pair.live.pair.t1.64B.ns_per_op", "h.atomic.pair.live.pair.t1.64B.mops"])
        #expect(export.tests.map { $0.csv.split(separator: "\n").count } == [4, 3])
    }

    @Test func yamlScalarsAreQuoted() {
        #expect(OtavaExport.yamlQuoted(#"a "b": #c\d"#) == #""a \"b\": #c\\d""#)
    }
}
