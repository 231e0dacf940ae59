import Foundation
import Glibc
import Results

/// A history of runs: one tidy results CSV per run in one directory, named
/// `<commit date>_<commit>_<run id>.csv` so `ls` sorts it by commit date and each file stays an
/// ordinary results CSV (`bench compare` reads it). Plain files rather than SQLite: appending is
/// an atomic rename, a bad run is removed with `rm`, and the files merge across machines with `cp`:
/// each row names its machine (`MachineIdentity`), and `HistoryReport` keeps one series per machine.
public enum HistoryStore {
    public struct Entry: Equatable, Sendable {
        public var file: String
        public var commit: String
        /// UTC, `yyyyMMdd'T'HHmmss'Z'` as in the file name.
        public var commitDate: String
        public var rows: [LocatedRow]

        /// The machines of the run's rows, first seen first: one for every run `bench` writes.
        public var machines: [MachineIdentity] {
            var seen: [MachineIdentity] = []
            for r in rows where !seen.contains(MachineIdentity(r.row)) { seen.append(MachineIdentity(r.row)) }
            return seen
        }
    }

    /// Where `append` put a run.
    public enum Filing: Equatable, Sendable {
        /// A new file of the history.
        case filed(String)
        /// The same run (run id and rows) was already in the history, in this file: nothing written.
        case alreadyFiled(String)

        public var path: String {
            switch self {
            case .filed(let p), .alreadyFiled(let p): p
            }
        }
    }

    /// Writes `rows` (their `commit` set to `commit`) as a new file of the history in `directory`,
    /// unless the same run is already there: a run is counted once however often it is added.
    /// Throws `AtomicFileWriter.Failure` when the directory cannot be written, and
    /// `ResultsCSVError` when the run is already filed under another commit.
    @discardableResult
    public static func append(_ rows: [ResultRow], commit: String, commitDate: Date, to directory: String) throws -> Filing {
        try AtomicFileWriter.prepare(directory: directory)
        let runID = rows.first?.runID ?? "run"
        let stamped = rows.map { row -> ResultRow in
            var r = row
            r.commit = commit
            return r
        }
        let text = ResultsCSV.encode(stamped)
        // The check and the filing under one lock on the directory: two adds of one run at once
        // must not both find it missing (the lock is the directory's own fd: nothing left behind).
        let lock = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { _ = flock(lock, LOCK_EX) }
        defer { if lock >= 0 { Glibc.close(lock) } }
        if let existing = try sameRun(rows, text: text, runID: runID, in: directory) { return .alreadyFiled(existing) }
        // Run ids have one-second resolution: several runs in one second get a counter.
        let stem = "\(stamp(commitDate))_\(sanitized(commit))_\(sanitized(runID))"
        var path = (directory as NSString).appendingPathComponent(stem + ".csv")
        var counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = (directory as NSString).appendingPathComponent("\(stem)-\(counter).csv")
            counter += 1
        }
        try AtomicFileWriter.write([(path, text)])
        return .filed(path)
    }

    /// Throws `ResultsCSVError` when these rows are already filed under another commit; nothing is written.
    public static func checkNotFiledUnderAnotherCommit(_ rows: [ResultRow], commit: String, in directory: String) throws {
        let stamped = rows.map { row -> ResultRow in
            var r = row
            r.commit = commit
            return r
        }
        _ = try sameRun(rows, text: ResultsCSV.encode(stamped), runID: rows.first?.runID ?? "run", in: directory)
    }

    /// The file of the history that holds this run already (same run id, same rows), or nil.
    static func sameRun(_ rows: [ResultRow], text: String, runID: String, in directory: String) throws -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let id = sanitized(runID)
        // This run's identity, once: its rows as filed (commit stamped) and with the commit left out.
        let mine = (try? ResultsCSV.decode(text, file: directory)) ?? rows
        let mineFiled = sortedLines(mine), mineAnyCommit = sortedLines(mine, commit: "")
        for name in names.sorted() where name.hasSuffix(".csv") {
            let stem = name.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2] == id || (parts[2].hasPrefix(id + "-") && parts[2].dropFirst(id.count + 1).allSatisfy(\.isNumber))
            else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let filed = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            if filed == text { return path }
            // The same rows in any order: the same run. Under another commit it is an error: one run
            // cannot have measured two commits.
            guard let other = try? ResultsCSV.decode(filed, file: path), sortedLines(other, commit: "") == mineAnyCommit else { continue }
            if sortedLines(other) == mineFiled { return path }
            throw ResultsCSVError(file: path, line: nil, reason: "run \(runID) is already filed here under commit \(parts[1])")
        }
        return nil
    }

    /// The rows as CSV lines in sorted order (commit replaced when given): a run's identity, whatever its row order.
    static func sortedLines(_ rows: [ResultRow], commit: String? = nil) -> [String] {
        let rows = commit.map { c in rows.map { r -> ResultRow in var r = r; r.commit = c; return r } } ?? rows
        return ResultsCSV.encode(rows).split(separator: "\n").dropFirst().map(String.init).sorted()
    }

    /// Every run of the history, oldest commit first (runs of one commit in file-name order).
    /// A file whose name does not follow the scheme is an error, so nothing is silently left out.
    public static func load(directory: String) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            // The reason in words (ELOOP, ENOTDIR, EACCES…), not a Foundation error code.
            var reason = "unreadable"
            if let dir = opendir(directory) { closedir(dir) } else { reason = String(cString: strerror(errno)) }
            throw ResultsCSVError(file: directory, line: nil, reason: "cannot read the history directory: \(reason)")
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
