import Results
extension Comparison {
    /// Markdown view: a pipe table (numeric columns right-aligned), then one-side-only lists.
    func renderedMarkdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        var text = "Base `\(baseFile)`, new `\(newFile)`.\n\n"
        text += line(ComparisonCells.header)
        text += "|:--|:--|--:|--:|--:|--:|--:|:--|\n"
        text += cases.map { line(ComparisonCells.row($0)) }.joined()
        text += geomeans.map { line(ComparisonCells.geomeanRow($0).enumerated().map { $0 == 0 ? "**\($1)**" : $1 }) }.joined()
        for (side, file, keys) in [("base", baseFile, onlyInBase), ("new", newFile, onlyInNew)] where !keys.isEmpty {
            text += "\nOnly in \(side) (`\(file)`), \(keys.count) case(s):\n\n"
            text += keys.map { "- `\($0)`\n" }.joined()
        }
        return text + "\n" + ComparisonCells.summary(self) + "\n"
    }
}
