import Foundation
import Results

/// txt / md / csv views of `bench ab`, cell for cell like `bench compare`'s.
extension AbComparison {
    public func rendered(as format: ComparisonFormat) -> String {
        switch format {
        case .txt: return renderedText()
        case .md: return renderedMarkdown()
        case .csv: return renderedCSV()
        }
    }

    var confidenceLabel: String { String(format: "%g%% CI", options.confidence * 100) }
    var header: [String] { ["case", "metric", "base", "new", "ratio", confidenceLabel, "n", "verdict"] }

    func row(_ c: AbCase) -> [String] {
        let interval = c.interval.map { "[\(ComparisonCells.percent(($0.lower - 1) * 100)), \(ComparisonCells.percent(($0.upper - 1) * 100))]" }
        return [
            ComparisonCells.caseName(c.key), c.key.metric.rawValue,
            c.baseValue.map(ComparisonCells.number) ?? "n/a", c.newValue.map(ComparisonCells.number) ?? "n/a",
            c.interval.map { ComparisonCells.percent(($0.estimate - 1) * 100) } ?? "", interval ?? "",
            "\(c.base.count)/\(c.new.count)", verdictCell(c),
        ]
    }

    func geomeanRow(_ g: GeomeanSummary) -> [String] {
        ["geomean", g.metric.rawValue, "", "", ComparisonCells.percent(g.deltaPercent), "", "\(g.caseCount) cases", ""]
    }

    func verdictCell(_ c: AbCase) -> String {
        switch c.verdict {
        case .unchanged where c.tooFewInvocations: return "~ (too few invocations)"
        case .missing:
            let side = c.base.isEmpty ? (c.new.isEmpty ? "both" : "base") : "new"
            return "n/a on \(side)"
        default: return c.verdict.rawValue
        }
    }

    func summary() -> String {
        let counts = Dictionary(grouping: cases, by: \.verdict).mapValues(\.count)
        let parts = ComparisonVerdict.allCases.compactMap { v in counts[v].map { "\($0) \(v == .unchanged ? "unchanged" : v.rawValue)" } }
        return parts.joined(separator: ", ")
            + " (\(confidenceLabel) of new/base beyond ±\(String(format: "%g", options.thresholdPercent))%; "
            + "unit: the invocation\(cases.contains { $0.pairs > 0 } ? ", paired back to back" : ""); "
            + "hierarchical bootstrap, \(options.resamples) resamples)"
    }

    func renderedText() -> String {
        var table = AlignedTable(header: header, alignments: [.left, .left, .right, .right, .right, .right, .right, .left])
        table.rows = cases.map(row) + geomeans.map(geomeanRow)
        var text = "base: \(baseLabel)\nnew:  \(newLabel)\n\n" + table.rendered()
        for (side, keys) in [("base", onlyInBase), ("new", onlyInNew)] where !keys.isEmpty {
            text += "\nOnly in \(side): \(keys.count) case(s)\n" + keys.map { "  \($0)\n" }.joined()
        }
        return text + "\n" + summary() + "\n"
    }

    func renderedMarkdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        var text = "Base `\(baseLabel)`, new `\(newLabel)`.\n\n" + line(header) + "|:--|:--|--:|--:|--:|--:|--:|:--|\n"
        text += cases.map { line(row($0)) }.joined()
        text += geomeans.map { line(geomeanRow($0).enumerated().map { $0 == 0 ? "**\($1)**" : $1 }) }.joined()
        for (side, keys) in [("base", onlyInBase), ("new", onlyInNew)] where !keys.isEmpty {
            text += "\nOnly in \(side), \(keys.count) case(s):\n\n" + keys.map { "- `\($0)`\n" }.joined()
        }
        return text + "\n" + summary() + "\n"
    }

    static let csvColumns = [
        "kind", "strategy", "workload", "phase", "op", "threads", "size", "metric", "unit", "base_n", "new_n",
        "base_value", "new_value", "ratio", "ci_low", "ci_high", "delta_pct", "verdict",
    ]

    /// `kind` is `case`, `geomean`, `only-base` or `only-new`; `base_n`/`new_n` count invocations.
    func renderedCSV() -> String {
        let number = ResultRow.CaseKey.csvNumber
        let keyFields = { (k: ResultRow.CaseKey) in k.csvFields }
        var lines = [Self.csvColumns]
        for c in cases {
            lines.append(["case"] + keyFields(c.key) + [
                c.unit, String(c.base.count), String(c.new.count), number(c.baseValue), number(c.newValue),
                number(c.interval?.estimate), number(c.interval?.lower), number(c.interval?.upper),
                number(c.interval.map { ($0.estimate - 1) * 100 }),
                c.verdict == .unchanged ? "unchanged" : c.verdict.rawValue,
            ])
        }
        for g in geomeans {
            lines.append(["geomean", "", "", "", "", "", "", g.metric.rawValue, "", String(g.caseCount), String(g.caseCount),
                          "", "", String(g.ratio), "", "", String(g.deltaPercent), ""])
        }
        for (kind, keys) in [("only-base", onlyInBase), ("only-new", onlyInNew)] {
            for k in keys { lines.append([kind] + keyFields(k) + Array(repeating: "", count: 10)) }
        }
        return lines.map { $0.map(ResultsCSV.quoted).joined(separator: ",") + "\n" }.joined()
    }
}
