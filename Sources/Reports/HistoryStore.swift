import Foundation

/// A history of runs: one tidy results CSV per run in one directory, named
/// `<commit date>_<commit>_<run id>.csv` so `ls` sorts it by commit date and each file stays an
/// ordinary results CSV (`bench compare` reads it). Plain files rather than SQLite: appending is
/// an atomic rename, a bad run is removed with `rm`, and the files merge across machines with `cp`.
public enum HistoryStore {
    public struct Entry: Equatable, Sendable {
        public var file: String
        public var commit: String
        /// UTC, `yyyyMMdd'T'HHmmss'Z'` as in the file name.
        public var commitDate: String
        public var rows: [LocatedRow]
    }

    /// Writes `rows` (their `commit` set to `commit`) as a new file of the history in `directory`.
    /// Returns the path. Throws `AtomicFileWriter.Failure` when the directory cannot be written.
    @discardableResult
    public static func append(_ rows: [ResultRow], commit: String, commitDate: Date, to directory: String) throws -> String {
        try AtomicFileWriter.prepare(directory: directory)
        let runID = rows.first?.runID ?? "run"
        // Run ids have one-second resolution: several runs in one second get a counter.
        let stem = "\(stamp(commitDate))_\(sanitized(commit))_\(sanitized(runID))"
        var path = (directory as NSString).appendingPathComponent(stem + ".csv")
        var counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = (directory as NSString).appendingPathComponent("\(stem)-\(counter).csv")
            counter += 1
        }
        let stamped = rows.map { row -> ResultRow in
            var r = row
            r.commit = commit
            return r
        }
        try AtomicFileWriter.write([(path, ResultsCSV.encode(stamped))])
        return path
    }

    /// Every run of the history, oldest commit first (runs of one commit in file-name order).
    /// A file whose name does not follow the scheme is an error, so nothing is silently left out.
    public static func load(directory: String) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ResultsCSVError(file: directory, line: nil, reason: "cannot read the history directory")
        }
        var entries: [Entry] = []
        for name in names.sorted() where name.hasSuffix(".csv") {
            let parts = name.dropLast(4).split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
            let path = (directory as NSString).appendingPathComponent(name)
            guard parts.count == 3, parts[0].count == 16, parts[0].hasSuffix("Z") else {
                throw ResultsCSVError(file: path, line: nil, reason: "not a history file name (<commit date>_<commit>_<run id>.csv)")
            }
            entries.append(Entry(file: path, commit: String(parts[1]), commitDate: String(parts[0]),
                                 rows: try ResultsCSV.read(contentsOf: path)))
        }
        return entries
    }

    static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    /// Keeps a name one path component without `_` (the field separator).
    static func sanitized(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." ? $0 : "-" })
    }
}
