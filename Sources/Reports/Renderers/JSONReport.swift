import Foundation
import Results

/// The same rows as the CSV, with the run description, for tools.
public enum JSONReport {
    struct Document: Codable {
        let run: RunDescription
        let columns: [String]
        let rows: [ResultRow]
    }

    public static func render(_ d: RunDescription, rows: [ResultRow]) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try enc.encode(Document(run: d, columns: ResultRow.columns, rows: rows))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
