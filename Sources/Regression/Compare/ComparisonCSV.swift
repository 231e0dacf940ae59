import Results
extension Comparison {
    static let csvColumns = [
        "kind", "strategy", "workload", "phase", "op", "threads", "size", "metric", "unit", "base_n", "new_n",
        "base_median", "new_median", "delta_pct", "p_value", "test", "verdict",
    ]

    /// CSV view: `kind` is `case`, `geomean`, `only-base` or `only-new`; empty cells where a
    /// number does not apply; numbers unrounded.
    func renderedCSV() -> String {
        let number = ResultRow.CaseKey.csvNumber
        let keyFields = { (k: ResultRow.CaseKey) in k.csvFields }
        var lines = [Self.csvColumns]
        for c in cases {
            lines.append(["case"] + keyFields(c.key) + [
                c.unit, String(c.base.values.count), String(c.new.values.count), number(c.base.median),
                number(c.new.median), number(c.deltaPercent), number(c.test?.pValue), c.test?.method.rawValue ?? "",
                c.verdict == .unchanged ? "unchanged" : c.verdict.rawValue,
            ])
        }
        for g in geomeans {
            lines.append(["geomean", "", "", "", "", "", "", g.metric.rawValue, "", String(g.caseCount), String(g.caseCount),
                          "", "", number(g.deltaPercent), "", "", ""])
        }
        for (kind, keys) in [("only-base", onlyInBase), ("only-new", onlyInNew)] {
            for k in keys { lines.append([kind] + keyFields(k) + Array(repeating: "", count: 9)) }
        }
        return lines.map { $0.map(ResultsCSV.quoted).joined(separator: ",") + "\n" }.joined()
    }
}

extension ResultRow.CaseKey {
    /// The key's columns in the comparison CSVs (`bench compare`, `bench ab`).
    var csvFields: [String] { [strategy, workload, phase.rawValue, op.rawValue, String(threads), String(size), metric.rawValue] }

    /// A number unrounded, or an empty cell where it does not apply.
    static func csvNumber(_ v: Double?) -> String { v.map { String($0) } ?? "" }
}
