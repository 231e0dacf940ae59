import Foundation
import Results
import Statistics

/// txt / md / csv views of `bench history`. A history of one machine reads as it always did (its
/// machine named in the header); several machines get one table each, never one series.
extension HistoryReport {
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

    /// `vm (AMD EPYC, kernel 6.18.44), 12 runs`; a name other than the host comes first.
    func label(_ m: Machine) -> String {
        (m.name == m.identity.host ? "" : "\(m.name) = ") + "\(m.identity), \(m.runs) run\(m.runs == 1 ? "" : "s")"
    }

    /// The header line that says which machines the history holds and how many runs each.
    var machinesLine: String {
        machines.count == 1 ? "machine: \(label(machines[0]))"
            : "\(machines.count) machines: " + machines.map(label).joined(separator: "; ")
    }

    func renderedText(markdown: Bool) -> String {
        let settings = "E-Divisive means, t-test p ≤ \(detector.maxPValue), window \(detector.windowLength), "
            + "min magnitude \(detector.minMagnitude) (as Apache Otava)"
            + (runsPerPoint > 1 ? "; a point = median of \(runsPerPoint) consecutive runs of a commit" : "")
        var text = markdown ? "History `\(directory)`: \(settings).\n\n\(machinesLine.capitalizedFirst).\n\n"
            : "history: \(directory)\n\(machinesLine)\n\(settings)\n\n"
        let header = ["case", "metric", runsPerPoint > 1 ? "points" : "runs", "commits", "first", "last", "change points"]
        let several = machines.count > 1
        text += machines.map { m in
            let rows = series.filter { $0.machine == m.identity }.map { s in
                [ComparisonCells.caseName(s.key), s.key.metric.rawValue, String(s.points.count), String(s.commits.count),
                 ComparisonCells.number(s.points.first!.value), ComparisonCells.number(s.points.last!.value),
                 s.changePoints.map { changeCell($0, in: s) }.joined(separator: "; ")]
            }
            let runs = "\(m.runs) run\(m.runs == 1 ? "" : "s")"
            let title = !several ? "" : markdown ? "**\(m.name)**, \(runs):\n\n" : "\(m.name), \(runs):\n"
            return title + table(header, rows, markdown: markdown, numeric: [2, 3, 4, 5])
        }.joined(separator: "\n")
        if detailed {
            for s in series { text += "\n" + trend(s, markdown: markdown) }
        }
        let counts = machines.map { m in
            let mine = series.filter { $0.machine == m.identity }
            return (m.name, mine.filter { !$0.changePoints.isEmpty }.count, mine.count)
        }
        if !several { return text + "\n\(counts[0].1) of \(counts[0].2) case(s) with change points\n" }
        return text + "\n" + counts.enumerated().map { i, c in
            "\(c.1) of \(c.2)" + (i == 0 ? " case(s) with change points" : "") + " on \(c.0)"
        }.joined(separator: "; ") + "\n"
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
        let machine = machines.count > 1 ? "\(name(of: s.machine)): " : ""
        let title = "\(machine)\(s.key) (\(s.unit)), median per commit of its \(runsPerPoint > 1 ? "points" : "runs' medians"):"
        return (markdown ? "**\(title)**\n\n" : title + "\n")
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

    /// `machine` last, so readers of the columns before it are unaffected.
    static let csvColumns = [
        "kind", "strategy", "workload", "phase", "op", "threads", "size", "metric", "unit", "index", "commit",
        "commit_date", "file", "value", "mean_before", "mean_after", "change_pct", "p_value", "machine",
    ]

    /// `kind` `point` (one per run) or `change` (one per change point, at its first run).
    func renderedCSV() -> String {
        var lines = [Self.csvColumns]
        for s in series {
            let k = s.key
            let keyFields = k.csvFields + [s.unit]
            let machine = name(of: s.machine)
            for (i, p) in s.points.enumerated() {
                lines.append(["point"] + keyFields + [String(i), p.commit, p.commitDate, p.file, String(p.value), "", "", "", "", machine])
            }
            for cp in s.changePoints {
                let p = s.points[cp.index]
                lines.append(["change"] + keyFields + [
                    String(cp.index), p.commit, p.commitDate, p.file, String(p.value), String(cp.stats.meanBefore),
                    String(cp.stats.meanAfter), String(cp.stats.forwardChange * 100), String(cp.stats.pValue), machine,
                ])
            }
        }
        return lines.map { $0.map(ResultsCSV.quoted).joined(separator: ",") + "\n" }.joined()
    }
}

extension String {
    /// `machine: …` → `Machine: …`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
