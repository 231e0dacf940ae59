import Foundation
import Results

/// A finished run read back from its results CSV (`bench report`): the rows, the safety
/// verdicts among them, and the run's description — from the `.json` written beside the CSV
/// when it is there (it keeps the command, settings and notes), else from the rows' context
/// columns. Nothing is measured.
public struct SavedRun {
    public let rows: [ResultRow]
    public let safety: [SafetyVerdict]
    public let description: RunDescription
    /// The run's files beside the CSV that exist (txt, md, json, csv), for the summary.
    public let files: [String]

    public init(csvPath: String) throws {
        let all = try ResultsFileReader.read(csvPath).map(\.row)
        safety = all.compactMap(SafetyVerdict.init(row:))
        rows = all.filter { $0.metric != .verdict }
        let base = csvPath.hasSuffix(".csv") ? String(csvPath.dropLast(4)) : csvPath
        files = ["txt", "md", "json", "csv"].map { "\(base).\($0)" }.filter { FileManager.default.fileExists(atPath: $0) }
        description = Self.description(json: base + ".json") ?? Self.description(rows: all, csvPath: csvPath)
    }

    struct Document: Decodable { let run: RunDescription }

    static func description(json path: String) -> RunDescription? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Document.self, from: data).run
    }

    /// The context columns of the first row; what the CSV does not keep is said to be missing.
    static func description(rows: [ResultRow], csvPath: String) -> RunDescription {
        let r = rows.first
        let cpus = rows.filter { $0.phase == .live }.max { $0.threads < $1.threads }?.cpus ?? ""
        return RunDescription(runID: r?.runID ?? "", command: "(not in the CSV; re-rendered from \(csvPath))", host: r?.host ?? "",
                              cpuModel: r?.cpuModel ?? "", cpus: cpus, nodes: 1, kernel: r?.kernel ?? "", swift: r?.swift ?? "",
                              build: r?.build ?? "", commit: r?.commit ?? "", timestamp: r?.timestamp ?? "",
                              settings: "(not in the CSV)", notes: [])
    }
}
