import Foundation
import Results

/// Comma-separated option values (`--strategy atomic,lazy`).
enum OptionList {
    /// A comma-separated option value, trimmed; empty items are a usage error that names the
    /// option and what is wrong with its value.
    static func split(_ text: String, what: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw BenchError.usage("empty \(what) list: give at least one \(what)") }
        if let empty = items.firstIndex(where: \.isEmpty) {
            throw BenchError.usage("\(what) list '\(text)' has an empty item \(empty + 1) of \(items.count) (a stray comma?)")
        }
        return items
    }

    /// `items` in order without repeats (`--threads 1,1` would measure one case twice).
    static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }
}
