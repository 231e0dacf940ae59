import Foundation
import Results

/// `bench history export --otava DIR`: the history as Apache Otava's CSV data source reads it
/// (apache-otava 0.8.0: `CsvImporter` in `otava/importer.py`, `create_csv_test_config` in
/// `otava/test_config.py`, docs/CSV.md), so the established engine can check our change points
/// or take over. One test per machine and case: a CSV with a `time` column (the commit date), the
/// attributes `commit` and `run` (the run id of the history file), and one column per metric, one row per point
/// in the history's order; and `otava.yaml` with a `type: csv` test per CSV and a test group per
/// machine. Otava's reader cannot take an empty cell, so metrics measured in different runs of a
/// case (a metric added later) go to separate tests rather than leaving holes.
public struct OtavaExport: Equatable, Sendable {
    public struct Metric: Equatable, Sendable {
        public var name: String
        /// Otava's `direction`: 1 higher is better, -1 lower is better.
        public var direction: Int
    }

    public struct Test: Equatable, Sendable {
        /// `<machine>.<strategy>.<workload>.<phase>.<op>.t<threads>.<size>B`, also the CSV's name.
        public var name: String
        public var machine: String
        public var metrics: [Metric]
        /// The CSV text.
        public var csv: String
    }

    public var tests: [Test]
    /// Where the history came from and its oldest commit date, for the config's comment.
    public var source: String
    public var firstDate: String

    public static let configName = "otava.yaml"

    public init(_ report: HistoryReport) {
        source = report.directory
        firstDate = Self.isoDate(report.series.flatMap { $0.points.map(\.commitDate) }.min() ?? "")
        tests = []
        var used = Set<String>()
        for machine in report.machines {
            let mine = report.series.filter { $0.machine == machine.identity }
            // Series of one case whose points are the same runs share a CSV, a column each.
            var groups: [(caseName: String, files: [String], series: [HistoryReport.Series])] = []
            for s in mine {
                let caseName = ComparisonCells.caseName(s.key), files = s.points.map(\.file)
                if let g = groups.firstIndex(where: { $0.caseName == caseName && $0.files == files }) {
                    groups[g].series.append(s)
                } else {
                    groups.append((caseName, files, [s]))
                }
            }
            for g in groups {
                let split = groups.filter { $0.caseName == g.caseName }.count > 1
                var name = ([machine.name] + g.caseName.split(separator: "/").map(String.init)
                    + (split ? [g.series[0].key.metric.rawValue] : [])).map(Self.fileSafe).joined(separator: ".")
                if used.contains(name) { name += "-\(used.count + 1)" }
                used.insert(name)
                tests.append(Self.test(name: name, machine: machine.name, series: g.series))
            }
        }
    }

    static func test(name: String, machine: String, series: [HistoryReport.Series]) -> Test {
        let metrics = series.map { s in
            Metric(name: s.key.metric.rawValue, direction: s.key.metric.direction == .lowerIsBetter ? -1 : 1)
        }
        var lines = [["time", "commit", "run"] + metrics.map(\.name)]
        for (i, p) in series[0].points.enumerated() {
            // The run id part of `<commit date>_<commit>_<run id>.csv`: time and commit are columns already.
            let stem = ((p.file as NSString).lastPathComponent as NSString).deletingPathExtension
            let run = stem.split(separator: "_", maxSplits: 2).last.map(String.init) ?? stem
            lines.append([isoDate(p.commitDate), p.commit, run] + series.map { String($0.points[i].value) })
        }
        let csv = lines.map { $0.map(ResultsCSV.quoted).joined(separator: ",") + "\n" }.joined()
        return Test(name: name, machine: machine, metrics: metrics, csv: csv)
    }

    /// A name part that is safe in a file name and on Otava's command line.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "-+._".contains($0) ? $0 : "-" })
    }

    /// `20261201T195800Z` → `2026-12-01T19:58:00Z`, which Otava's `dateparser` reads as UTC.
    static func isoDate(_ stamp: String) -> String {
        let c = Array(stamp)
        guard c.count == 16 else { return stamp }
        return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))T\(String(c[9..<11])):\(String(c[11..<13])):\(String(c[13..<15]))Z"
    }

    /// The files to write into `directory`: a CSV per test and `otava.yaml`, whose `file:` paths
    /// are absolute so `otava --config-file DIR/otava.yaml` works from any directory.
    public func files(in directory: String) -> [(path: String, contents: String)] {
        let absolute = directory.hasPrefix("/") ? directory
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(directory)
        let path = { (name: String) in (absolute as NSString).appendingPathComponent(name) }
        return tests.map { (path($0.name + ".csv"), $0.csv) } + [(path(Self.configName), config(path: path))]
    }

    func config(path: (String) -> String) -> String {
        var text = """
            # Apache Otava tests of the bench history \(source), written by `bench history export --otava`:
            # one CSV per machine and case (one row per point, as `bench history` orders them), one test
            # group per machine. Otava reads the last year unless --since says otherwise, e.g.
            #   otava analyze --config-file \(Self.yamlQuoted(path(Self.configName))) --since \(firstDate) \(tests.first?.machine ?? "")

            tests:

            """
        for t in tests {
            text += "  \(Self.yamlQuoted(t.name)):\n    type: csv\n    file: \(Self.yamlQuoted(path(t.name + ".csv")))\n"
                + "    time_column: time\n    attributes: [commit, run]\n    metrics:\n"
            for m in t.metrics {
                text += "      \(Self.yamlQuoted(m.name)): {column: \(Self.yamlQuoted(m.name)), direction: \(m.direction)}\n"
            }
        }
        text += "test_groups:\n"
        var machines: [String] = []
        for t in tests where !machines.contains(t.machine) { machines.append(t.machine) }
        for m in machines {
            text += "  \(Self.yamlQuoted(m)):\n" + tests.filter { $0.machine == m }.map { "    - \(Self.yamlQuoted($0.name))\n" }.joined()
        }
        return text
    }

    /// A YAML double-quoted scalar: any text, no YAML meaning of `:` or `#` to worry about.
    static func yamlQuoted(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
        return "\"" + escaped + "\""
    }
}
