import Foundation

/// Comma-separated option values (`--strategy atomic,lazy`).
enum OptionList {
    /// A comma-separated option value, trimmed; empty items are a usage error.
    static func split(_ text: String, what: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw BenchError.usage("empty \(what) list '\(text)'") }
        return items
    }
}
