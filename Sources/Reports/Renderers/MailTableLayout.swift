import Results
/// A report table laid out within the mail's width, whatever its cells: the bpf list reads plain
/// text at ≤ 75 columns, and a wider line is re-wrapped by the reader's client into noise. In
/// order, as long as the table is still too wide: (1) as is; (2) the `kernel-` prefix of the
/// row names shortened to `k-`, with a legend line; (3) the columns split into stacked tables
/// that repeat the row's key (its name and thread count); (4) a column too wide even alone is
/// listed row by row as wrapped prose.
enum MailTableLayout {
    static let legend = "(k- = kernel-)"

    static func lines(_ t: ReportSections.Table, width: Int) -> [String] {
        let plain = render(t)
        if fits(plain, width) { return plain }
        let short = abbreviated(t)
        let shortLines = render(short)
        if short.rows != t.rows && fits(shortLines, width) { return shortLines + [legend] }
        return split(short, width: width) + (short.rows != t.rows ? [legend] : [])
    }

    static func render(_ t: ReportSections.Table) -> [String] {
        TextTableRenderer.plain(t).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func fits(_ lines: [String], _ width: Int) -> Bool { lines.allSatisfy { $0.count <= width } }

    /// `kernel-percpu-ref` → `k-percpu-ref` in the first column.
    static func abbreviated(_ t: ReportSections.Table) -> ReportSections.Table {
        let rows = t.rows.map { r in
            r.enumerated().map { i, c in i == 0 && KernelSubjects.isKernel(c) ? "k-" + KernelSubjects.short(c) : c }
        }
        return ReportSections.Table(title: t.title, header: t.header, rows: rows)
    }

    /// The key columns (the name, and `thr` when it follows) repeated in front of each group
    /// of the other columns, as many per group as fit.
    static func split(_ t: ReportSections.Table, width: Int) -> [String] {
        let keys = t.header.count > 1 && t.header[1] == "thr" ? [0, 1] : [0]
        let rest = t.header.indices.filter { !keys.contains($0) }
        var groups: [[Int]] = []
        for c in rest {
            if let last = groups.last, fits(render(project(t, keys + last + [c])), width) {
                groups[groups.count - 1].append(c)
            } else {
                groups.append([c])
            }
        }
        var out: [String] = []
        for (n, g) in groups.enumerated() {
            if n > 0 { out += ["", "(continued)"] }
            let part = render(project(t, keys + g))
            out += fits(part, width) ? part : records(t, keys: keys, column: g[0], width: width)
        }
        return out
    }

    static func project(_ t: ReportSections.Table, _ columns: [Int]) -> ReportSections.Table {
        ReportSections.Table(title: t.title, header: columns.map { t.header[$0] },
                             rows: t.rows.map { r in columns.map { $0 < r.count ? r[$0] : "" } })
    }

    /// One wrapped line per row: `name thr: header value`.
    static func records(_ t: ReportSections.Table, keys: [Int], column: Int, width: Int) -> [String] {
        t.rows.flatMap { r -> [String] in
            let key = keys.map { $0 < r.count ? r[$0] : "" }.joined(separator: " ")
            let value = column < r.count ? r[column] : ""
            return TextWrap.wrap("\(key): \(t.header[column]) \(value)", width: width, restPrefix: "    ")
        }
    }
}
