import Foundation
import Results

/// The human-readable cells shared by the txt and md views of a comparison.
enum ComparisonCells {
    static let header = ["case", "metric", "base", "new", "delta", "p", "n", "verdict"]

    /// `strategy/workload/phase/op/tN/SIZEB`: the case without its metric.
    static func caseName(_ key: ResultRow.CaseKey) -> String {
        "\(key.strategy)/\(key.workload)/\(key.phase)/\(key.op)/t\(key.threads)/\(key.size)B"
    }

    static func row(_ c: CaseComparison) -> [String] {
        let n = "\(c.base.values.count)/\(c.new.values.count)"
        return [
            caseName(c.key), c.key.metric.rawValue,
            c.base.median.map(number) ?? "n/a", c.new.median.map(number) ?? "n/a",
            c.deltaPercent.map(percent) ?? "", c.test.map { Comparison.formatP($0.pValue) } ?? "", n, verdict(c),
        ]
    }

    static func geomeanRow(_ g: GeomeanSummary) -> [String] {
        ["geomean", g.metric.rawValue, "", "", percent(g.deltaPercent), "", "\(g.caseCount) cases", ""]
    }

    static func verdict(_ c: CaseComparison) -> String {
        switch c.verdict {
        case .unchanged where c.tooFewSamples: return "~ (too few samples)"
        case .missing:
            let side = c.base.values.isEmpty ? (c.new.values.isEmpty ? "both" : "base") : "new"
            return "n/a on \(side)"
        default: return c.verdict.rawValue
        }
    }

    static func summary(_ comparison: Comparison) -> String {
        let counts = Dictionary(grouping: comparison.cases, by: \.verdict).mapValues(\.count)
        let parts = ComparisonVerdict.allCases.compactMap { v in counts[v].map { "\($0) \(v == .unchanged ? "unchanged" : v.rawValue)" } }
        let o = comparison.options
        return parts.joined(separator: ", ")
            + " (p < \(o.alpha) and |delta| >= \(number(o.thresholdPercent))% of the base median)"
    }

    /// Four significant digits without exponent in the usual range of benchmark numbers.
    static func number(_ v: Double) -> String {
        let magnitude = abs(v)
        if magnitude == 0 { return "0" }
        if magnitude >= 1e9 || magnitude < 1e-3 { return String(format: "%.3e", v) }
        let decimals = max(0, 3 - Int(log10(magnitude).rounded(.down)))
        return String(format: "%.\(decimals)f", v)
    }

    static func percent(_ v: Double) -> String {
        if v.isInfinite { return v > 0 ? "+inf%" : "-inf%" }
        return String(format: "%+.1f%%", v)
    }
}
