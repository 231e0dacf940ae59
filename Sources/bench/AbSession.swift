import Foundation
import Reports

/// One `bench ab` run: build both sides, run the interleaved invocations with progress, judge, print.
struct AbSession: Sendable {
    let command: AbCommand
    let options: AbOptions

    func log(_ line: String) {
        if !command.quiet { fputs("ab: \(line)\n", stderr) }
    }

    func run() async throws -> Int32 {
        let root = try await RevisionBuild.repositoryRoot()
        let logger: @Sendable (String) -> Void = { [quiet = command.quiet] line in if !quiet { fputs("ab: \(line)\n", stderr) } }
        let cache = command.cache.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? root + "/.build-ab"
        // With --base-bench the only revision argument (if any) is NEW.
        let newRevision = command.baseBench != nil && command.new == nil ? command.base : command.new
        let base: RevisionBuild, new: RevisionBuild
        if let path = command.baseBench { base = RevisionBuild.prebuilt(path) } else {
            base = try await RevisionBuild.prepare(command.base, root: root, cache: cache, log: logger)
        }
        if let path = command.newBench { new = RevisionBuild.prebuilt(path) } else {
            new = try await RevisionBuild.prepare(newRevision, root: root, cache: cache, log: logger)
        }
        for side in [base, new] { log("\(side.label): \(side.binary)\(side.fromCache ? " (cached)" : "")") }
        if command.buildOnly { return 0 }

        let scratch = NSTemporaryDirectory() + "bench-ab-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        if let keep = command.keep {
            do { try AtomicFileWriter.prepare(directory: keep) } catch let e as AtomicFileWriter.Failure {
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

        if let dir = command.history { try await appendHistory(dir, root: root, base: base, new: new, results: results) }
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
            let kept = "\(keep)/\(side.rawValue)-\(number).csv"
            try? FileManager.default.removeItem(atPath: kept)
            try FileManager.default.copyItem(atPath: path, toPath: kept)
            path = kept
        }
        return AbInvocation(file: path, rows: try ResultsCSV.read(contentsOf: path))
    }

    func appendHistory(_ dir: String, root: String, base: RevisionBuild, new: RevisionBuild,
                       results: [AbSide: [AbInvocation]]) async throws {
        var seen = Set<String>()
        for (side, build) in [(AbSide.base, base), (.new, new)] {
            guard !build.dirty else { log("history: \(build.label) is not a clean commit, not appended"); continue }
            // A/A runs of one commit: one side's invocations are enough history.
            guard seen.insert(build.commit).inserted else { continue }
            let date = try await RevisionBuild.commitDate(build.commit, root: root)
            do {
                for invocation in results[side]! {
                    try HistoryStore.append(invocation.rows.map(\.row), commit: String(build.commit.prefix(12)),
                                            commitDate: date, to: dir)
                }
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
