import Foundation
import Statistics

/// `bench history`: each case's value run by run (the median of the run's repetitions), in
/// commit order, with the change points E-Divisive finds in that series.
public struct HistoryReport: Equatable, Sendable {
    public struct Point: Equatable, Sendable {
        public var commit: String
        public var commitDate: String
        public var file: String
        public var value: Double
    }

    public struct Series: Equatable, Sendable {
        public var key: ResultRow.CaseKey
        public var unit: String
        public var points: [Point]
        public var changePoints: [EDivisive.ChangePoint]
        public var commits: [String] {
            var seen: [String] = []
            for p in points where seen.last != p.commit { seen.append(p.commit) }
            return seen
        }
    }

    public var directory: String
    public var detector: EDivisive
    public var series: [Series]
    /// True when `--case` selected the series: show each trend in full.
    public var detailed: Bool

    /// Throws `ResultsCSVError` for an unreadable history and `AbCaseFilterError` when `caseFilter`
    /// matches nothing.
    /// Runs per point: 1 gives Otava's series (one point per run); N > 1 makes each point the
    /// median of N consecutive runs of one commit, so one run caught in a noisy episode (a 20–40 %
    /// drop on a shared VM) cannot sink the t-test, which assumes roughly normal points.
    public var runsPerPoint: Int

    public init(entries: [HistoryStore.Entry], directory: String, caseFilter: [String] = [],
                detector: EDivisive = EDivisive(), runsPerPoint: Int = 1) throws {
        precondition(runsPerPoint >= 1)
        self.directory = directory
        self.detector = detector
        self.runsPerPoint = runsPerPoint
        self.detailed = !caseFilter.isEmpty
        var points: [ResultRow.CaseKey: [Point]] = [:]
        var units: [ResultRow.CaseKey: String] = [:]
        var order: [ResultRow.CaseKey] = []
        for entry in entries {
            let grouped = try CaseSamples.group(entry.rows, file: entry.file)
            for key in grouped.order where key.metric != "verdict" {
                guard caseFilter.isEmpty || caseFilter.contains(where: { key.description.contains($0) }) else { continue }
                let samples = grouped.samples[key]!
                guard let median = samples.summary.median else { continue }
                if points[key] == nil { order.append(key) }
                points[key, default: []].append(Point(commit: entry.commit, commitDate: entry.commitDate,
                                                      file: entry.file, value: median))
                if units[key] == nil { units[key] = samples.unit ?? "" }
            }
        }
        if order.isEmpty {
            if !caseFilter.isEmpty { throw AbCaseFilterError(filter: caseFilter) }
            throw ResultsCSVError(file: directory, line: nil, reason: "no runs with values in the history")
        }
        series = order.map { key in
            let p = Self.grouped(points[key]!, runsPerPoint: runsPerPoint)
            return Series(key: key, unit: units[key]!, points: p, changePoints: detector.changePoints(p.map(\.value)))
        }
    }

    /// Consecutive runs of one commit, `runsPerPoint` at a time (the last group of a commit may be
    /// smaller), each group one point: the median of its runs' values, named by its first file.
    static func grouped(_ points: [Point], runsPerPoint: Int) -> [Point] {
        guard runsPerPoint > 1 else { return points }
        var result: [Point] = []
        var start = 0
        while start < points.count {
            var end = start + 1
            while end < points.count && end - start < runsPerPoint && points[end].commit == points[start].commit { end += 1 }
            var point = points[start]
            point.value = SampleSummary.median(points[start..<end].map(\.value))!
            result.append(point)
            start = end
        }
        return result
    }

    public func rendered(as format: ComparisonFormat) -> String {
        switch format {
        case .txt: return renderedText(markdown: false)
        case .md: return renderedText(markdown: true)
        case .csv: return renderedCSV()
        }
    }

    func changeCell(_ cp: EDivisive.ChangePoint, in s: Series) -> String {
        "\(Self.short(s.points[cp.index].commit)) \(ComparisonCells.percent(cp.stats.forwardChange * 100)) "
            + "(p \(Comparison.formatP(cp.stats.pValue)))"
    }

    func renderedText(markdown: Bool) -> String {
        let settings = "E-Divisive means, t-test p ≤ \(detector.maxPValue), window \(detector.windowLength), "
            + "min magnitude \(detector.minMagnitude) (as Apache Otava)"
            + (runsPerPoint > 1 ? "; a point = median of \(runsPerPoint) consecutive runs of a commit" : "")
        var text = markdown ? "History `\(directory)`: \(settings).\n\n" : "history: \(directory)\n\(settings)\n\n"
        let header = ["case", "metric", runsPerPoint > 1 ? "points" : "runs", "commits", "first", "last", "change points"]
        let rows = series.map { s in
            [ComparisonCells.caseName(s.key), s.key.metric, String(s.points.count), String(s.commits.count),
             ComparisonCells.number(s.points.first!.value), ComparisonCells.number(s.points.last!.value),
             s.changePoints.map { changeCell($0, in: s) }.joined(separator: "; ")]
        }
        text += table(header, rows, markdown: markdown, numeric: [2, 3, 4, 5])
        if detailed {
            for s in series { text += "\n" + trend(s, markdown: markdown) }
        }
        let flagged = series.filter { !$0.changePoints.isEmpty }.count
        return text + "\n\(flagged) of \(series.count) case(s) with change points\n"
    }

    /// One line per commit (median of its runs), the change points marked where the new regime starts.
    func trend(_ s: Series, markdown: Bool) -> String {
        var rows: [[String]] = []
        var start = 0
        while start < s.points.count {
            var end = start + 1
            while end < s.points.count && s.points[end].commit == s.points[start].commit { end += 1 }
            let values = s.points[start..<end].map(\.value)
            let marks = s.changePoints.filter { (start..<end).contains($0.index) }.map { cp in
                "<- change \(ComparisonCells.percent(cp.stats.forwardChange * 100)): "
                    + "\(ComparisonCells.number(cp.stats.meanBefore)) -> \(ComparisonCells.number(cp.stats.meanAfter)), "
                    + "p \(Comparison.formatP(cp.stats.pValue))"
                    + (cp.index > start ? " (from \(runsPerPoint > 1 ? "point" : "run") \(cp.index - start + 1))" : "")
            }
            let p = s.points[start]
            rows.append([Self.short(p.commit), Self.displayDate(p.commitDate), String(end - start),
                         ComparisonCells.number(SampleSummary.median(values)!), marks.joined(separator: "; ")])
            start = end
        }
        let title = "\(s.key) (\(s.unit)), median per commit of its \(runsPerPoint > 1 ? "points" : "runs' medians"):\n"
        return (markdown ? "**\(title)**\n" : title)
            + table(["commit", "commit date", runsPerPoint > 1 ? "points" : "runs", "median", ""], rows, markdown: markdown,
                    numeric: [2, 3])
    }

    func table(_ header: [String], _ rows: [[String]], markdown: Bool, numeric: Set<Int>) -> String {
        if markdown {
            func line(_ cells: [String]) -> String {
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            let rule = "|" + header.indices.map { numeric.contains($0) ? "--:|" : ":--|" }.joined() + "\n"
            return line(header) + rule + rows.map(line).joined()
        }
        var t = AlignedTable(header: header, alignments: header.indices.map { numeric.contains($0) ? .right : .left })
        t.rows = rows
        return t.rendered()
    }

    static let csvColumns = [
        "kind", "strategy", "workload", "phase", "op", "threads", "size", "metric", "unit", "index", "commit",
        "commit_date", "file", "value", "mean_before", "mean_after", "change_pct", "p_value",
    ]

    /// `kind` `point` (one per run) or `change` (one per change point, at its first run).
    func renderedCSV() -> String {
        var lines = [Self.csvColumns]
        for s in series {
            let k = s.key
            let keyFields = [k.strategy, k.workload, k.phase, k.op, String(k.threads), String(k.size), k.metric, s.unit]
            for (i, p) in s.points.enumerated() {
                lines.append(["point"] + keyFields + [String(i), p.commit, p.commitDate, p.file, String(p.value), "", "", "", ""])
            }
            for cp in s.changePoints {
                let p = s.points[cp.index]
                lines.append(["change"] + keyFields + [
                    String(cp.index), p.commit, p.commitDate, p.file, String(p.value), String(cp.stats.meanBefore),
                    String(cp.stats.meanAfter), String(cp.stats.forwardChange * 100), String(cp.stats.pValue),
                ])
            }
        }
        return lines.map { $0.map(ResultsCSV.quoted).joined(separator: ",") + "\n" }.joined()
    }

    static func short(_ commit: String) -> String {
        commit.count > 12 && !commit.contains("+") ? String(commit.prefix(12)) : commit
    }

    /// `20261201T195800Z` → `2026-12-01 19:58`.
    static func displayDate(_ stamp: String) -> String {
        let c = Array(stamp)
        guard c.count == 16 else { return stamp }
        return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8])) \(String(c[9..<11])):\(String(c[11..<13]))"
    }
}
