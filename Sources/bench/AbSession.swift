import Foundation
import Platform
import Regression
import Results
import Statistics

/// One `bench ab` run: build both sides, run the interleaved invocations with progress, judge, print.
struct AbSession: Sendable {
    let command: AbCommand
    let options: AbOptions

    func log(_ line: String) {
        if !command.quiet { fputs("ab: \(line)\n", stderr) }
    }

    /// The interrupt that stopped the session (the children got the signal too).
    struct Interrupted: Error {}

    func run() async throws -> Int32 {
        // Prebuilt binaries on both sides need no repository, unless history wants commit dates.
        let needsRepository = command.baseBench == nil || command.newBench == nil || command.history != nil
        let root = needsRepository ? try await RevisionBuild.repositoryRoot() : nil
        let (base, new) = try await builds(root: root)
        for side in [base, new] { log("\(side.label): \(side.binary)\(side.fromCache ? " (cached)" : "")") }
        if command.buildOnly { return 0 }

        let stale = Self.removeStaleScratchDirectories()
        if stale > 0 { log("note: removed \(stale) scratch director\(stale == 1 ? "y" : "ies") of ab runs that were killed") }
        let scratch = try Self.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Both output directories checked before any invocation runs (a file there is 73 now, not after the runs).
        for dir in [command.keep, command.history].compactMap({ $0 }) {
            do { try AtomicFileWriter.prepare(directory: dir) } catch let e as AtomicFileWriter.Failure {
                throw BenchError(message: e.description, code: SysExit.cantCreate)
            }
        }

        var generator = SplitMix64(seed: options.seed ^ 0x6162_6f72_6465_72)  // "aborder": not the bootstrap's stream
        let started = Date()
        var results: [AbSide: [AbInvocation]] = [.base: [], .new: []]
        var order: [AbSide]
        if let k = command.invocations ?? (command.budget == nil ? 10 : nil) {
            order = InterleavedOrder.balanced(perSide: k, using: &generator)
        } else {
            // A pilot pair times one invocation of each side; the budget then fixes K.
            order = InterleavedOrder.balanced(perSide: 1, using: &generator)
        }
        var index = 0
        while index < order.count {
            let side = order[index]
            let build = side == .base ? base : new
            let t0 = Date()
            if RunInterrupt.isSet { throw Interrupted() }
            var invocation = try await invoke(build, side: side, number: results[side]!.count + 1, scratch: scratch)
            // Positions 2j and 2j+1 hold one invocation of each side: pair j.
            invocation.pair = index / 2
            results[side]!.append(invocation)
            index += 1
            if index == 2, let budget = command.budget, order.count == 2 {
                let pair = Date().timeIntervalSince(started)
                let k = max(AbComparison.minimumInvocations, min(100, Int(budget / pair)))
                order += InterleavedOrder.balanced(perSide: k - 1, using: &generator)
                log("budget \(Int(budget)) s, first pair \(String(format: "%.1f", pair)) s: K = \(k) invocations per side")
            }
            let elapsed = Date().timeIntervalSince(started)
            let eta = elapsed / Double(index) * Double(order.count - index)
            log("invocation \(index)/\(order.count) (\(side.rawValue), \(String(format: "%.1f", Date().timeIntervalSince(t0))) s), "
                + "elapsed \(Self.clock(elapsed)), ETA \(Self.clock(eta))")
        }
        log("\(order.count) invocations in \(Self.clock(Date().timeIntervalSince(started))); order \(order.map { $0 == .base ? "A" : "B" }.joined())")

        if let dir = command.history, let root { try await appendHistory(dir, root: root, base: base, new: new, results: results) }
        let comparison = try AbComparison(base: results[.base]!, baseLabel: base.label, new: results[.new]!,
                                          newLabel: new.label, options: options)
        print(comparison.rendered(as: command.format), terminator: "")
        for w in comparison.warnings { fputs("bench ab: warning: \(w)\n", stderr) }
        return comparison.hasRegression ? CompareExitStatus.regression.rawValue : CompareExitStatus.noRegression.rawValue
    }

    /// One whole `bench` process of one side into its own directory; its CSV read back.
    func invoke(_ build: RevisionBuild, side: AbSide, number: Int, scratch: String) async throws -> AbInvocation {
        let dir = "\(scratch)/\(side.rawValue)-\(number)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try await ChildProcess.run(build.binary, command.childArguments + ["--output", dir], in: dir,
                                           timeoutSeconds: command.timeout)
        // The child got the signal too and stopped early: its results are not a measurement.
        if RunInterrupt.isSet { throw Interrupted() }
        if r.exitCode == SysExit.usage {
            // A pass-through option the revision's bench rejects (e.g. an unknown strategy).
            throw BenchError.usage("\(build.label) rejects the matrix options: \(r.lastLine)")
        }
        guard r.succeeded else {
            throw BenchError(message: "\(side.rawValue) invocation \(number) (\(build.label)) failed (\(r.status)): \(r.lastLine)",
                             code: SysExit.software)
        }
        let csvs = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasSuffix(".csv") } ?? []
        guard csvs.count == 1 else {
            throw BenchError(message: "\(side.rawValue) invocation \(number) wrote \(csvs.count) CSV files in \(dir), expected 1",
                             code: SysExit.software)
        }
        var path = "\(dir)/\(csvs[0])"
        if let keep = command.keep {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do { path = try AtomicFileWriter.writeNew(text, directory: keep, stem: "\(side.rawValue)-\(number)", extension: "csv") } catch let e as AtomicFileWriter.Failure {
                throw BenchError(message: e.description, code: SysExit.cantCreate)
            }
        }
        return AbInvocation(file: path, rows: try ResultsCSV.read(contentsOf: path))
    }

    /// Both sides' binaries: prebuilt, or built in release (cached per commit).
    func builds(root: String?) async throws -> (base: RevisionBuild, new: RevisionBuild) {
        let logger: @Sendable (String) -> Void = { [quiet = command.quiet] line in if !quiet { fputs("ab: \(line)\n", stderr) } }
        // With --base-bench the only revision argument (if any) is NEW.
        let newRevision = command.baseBench != nil && command.new == nil ? command.base : command.new
        func build(_ prebuilt: String?, _ revision: String?) async throws -> RevisionBuild {
            if let prebuilt { return RevisionBuild.prebuilt(prebuilt) }
            let root = root!
            let cache = command.cache.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? root + "/.build-ab"
            return try await RevisionBuild.prepare(revision, root: root, cache: cache, log: logger)
        }
        let base = try await build(command.baseBench, command.base)
        if RunInterrupt.isSet { throw Interrupted() }
        let new = try await build(command.newBench, newRevision)
        if RunInterrupt.isSet { throw Interrupted() }
        return (base, new)
    }

    /// The file ab writes into each scratch directory it makes: the sweep removes a directory
    /// only when this file names it, so a user's directory that merely looks like one is kept.
    static let scratchMarker = ".bench-ab-scratch"

    static func markerText(_ name: String) -> String { "made by bench ab for its invocations' results: \(name)\n" }

    /// Removes `bench-ab-<pid>-XXXXXX` directories whose ab is gone (a second signal exits at once
    /// and SIGKILL runs no cleanup): only names this tool makes, holding the marker it wrote
    /// there, of pids that no longer exist.
    static func removeStaleScratchDirectories(in tmp: String = NSTemporaryDirectory()) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        var removed = 0
        for name in names {
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "bench", parts[1] == "ab", let pid = Int32(parts[2]), pid > 0, pid != getpid(),
                  parts[3].count == 6, kill(pid, 0) != 0, errno == ESRCH else { continue }
            let dir = (tmp as NSString).appendingPathComponent(name)
            guard let marker = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(scratchMarker)),
                  String(decoding: marker, as: UTF8.self) == markerText(name) else { continue }
            if (try? FileManager.default.removeItem(atPath: dir)) != nil { removed += 1 }
        }
        return removed
    }

    /// A new private directory for the invocations' results (mkdtemp: never another run's),
    /// with the marker the sweep of killed runs looks for.
    static func makeScratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "bench-ab-\(getpid())-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BenchError(message: "cannot create a scratch directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))",
                             code: SysExit.cantCreate)
        }
        let dir = String(cString: template)
        let name = (dir as NSString).lastPathComponent
        guard FileManager.default.createFile(atPath: (dir as NSString).appendingPathComponent(scratchMarker), contents: Data(markerText(name).utf8)) else {
            rmdir(dir)
            throw BenchError(message: "cannot write into the scratch directory \(dir)", code: SysExit.cantCreate)
        }
        return dir
    }

    func appendHistory(_ dir: String, root: String, base: RevisionBuild, new: RevisionBuild,
                       results: [AbSide: [AbInvocation]]) async throws {
        var seen = Set<String>()
        for (side, build) in [(AbSide.base, base), (.new, new)] {
            guard build.commit != RevisionBuild.unknownCommit else {
                log("history: \(build.label) is a prebuilt binary (its commit is unknown to ab), not appended"); continue
            }
            guard !build.dirty else { log("history: \(build.label) is not a clean commit, not appended"); continue }
            // A/A runs of one commit: one side's invocations are enough history.
            guard seen.insert(build.commit).inserted else { continue }
            let date = try await RevisionBuild.commitDate(build.commit, root: root)
            do {
                for invocation in results[side]! {
                    try HistoryStore.append(invocation.rows.map(\.row), commit: String(build.commit.prefix(12)),
                                            commitDate: date, to: dir)
                }
            } catch let e as ResultsCSVError {
                throw BenchError(message: e.description, code: SysExit.dataError)
            } catch let e as AtomicFileWriter.Failure {
                throw BenchError(message: e.description, code: SysExit.cantCreate)
            }
            log("history: \(results[side]!.count) runs of \(build.commit.prefix(12)) appended to \(dir)")
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
