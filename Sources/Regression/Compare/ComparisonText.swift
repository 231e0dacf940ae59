import Results
extension Comparison {
    /// Terminal view: aligned table, geomean rows, one-side-only cases, then the tally.
    func renderedText() -> String {
        var table = AlignedTable(header: ComparisonCells.header,
                                 alignments: [.left, .left, .right, .right, .right, .right, .right, .left])
        table.rows = cases.map(ComparisonCells.row) + geomeans.map(ComparisonCells.geomeanRow)
        var text = "base: \(baseFile)\nnew:  \(newFile)\n\n" + table.rendered()
        for (side, file, keys) in [("base", baseFile, onlyInBase), ("new", newFile, onlyInNew)] where !keys.isEmpty {
            text += "\nOnly in \(side) (\(file)): \(keys.count) case(s)\n"
            text += keys.map { "  \($0)\n" }.joined()
        }
        return text + "\n" + ComparisonCells.summary(self) + "\n"
    }
}
