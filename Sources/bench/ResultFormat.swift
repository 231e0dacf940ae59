import Foundation

/// Output formats of a run.
enum ResultFormat: String, CaseIterable {
    case csv, md, txt, json

    /// `csv,md` → formats; usage error naming the valid ones.
    static func parse(_ text: String) throws -> [ResultFormat] {
        try splitList(text, what: "format").map {
            guard let f = ResultFormat(rawValue: $0) else {
                throw BenchError.usage("unknown format '\($0)' (valid: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return f
        }
    }

    /// A comma-separated option value, trimmed; empty items are a usage error.
    static func splitList(_ text: String, what: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw BenchError.usage("empty \(what) list '\(text)'") }
        return items
    }
}
