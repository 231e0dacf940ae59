import Results
/// The output formats of `bench compare`.
public enum ComparisonFormat: String, CaseIterable, Sendable {
    /// Aligned columns for a terminal.
    case txt
    /// A pipe table, e.g. for a pull-request comment.
    case md
    /// One row per case, numbers unformatted, for scripts.
    case csv
}

extension Comparison {
    public func rendered(as format: ComparisonFormat) -> String {
        switch format {
        case .txt: return renderedText()
        case .md: return renderedMarkdown()
        case .csv: return renderedCSV()
        }
    }
}
