import ArgumentParser
import Foundation
import Platform
import Regression
import Results

/// `bench ab BASE [NEW]`: two revisions built in release and run interleaved, judged with the
/// invocation as the unit. Parsing and orchestration only; the statistics are `AbComparison`.
struct AbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Build two revisions and run them interleaved (ABBA…); ratio new/base with a 95% CI per case.",
        discussion: """
            BASE and NEW are git revisions (NEW defaults to the working tree, dirty allowed). Each is built in release \
            once per commit (cache: .build-ab/). Then 2·K whole `bench` processes run in blocks ABBA or BAAB chosen \
            at random, each the selected matrix (--quick unless --full; matrix options pass through). A case is \
            regressed or improved only when the confidence interval of new/base, from a hierarchical bootstrap \
            (invocations, then repetitions within them), lies beyond ±threshold in the metric's worse or better \
            direction. Run it where nothing else runs (it times benchmarks). Exit status: 0 no regression, \
            2 regression, 64 usage, 65 unreadable child results, 69 a revision cannot be built, 70 a child failed.
            """)

    @Argument(help: "The base revision (a commit, branch or tag); omit with --base-bench.")
    var base: String?

    @Argument(help: "The revision to judge (default: the working tree).")
    var new: String?

    @Option(help: "Invocations per side, K, \(AbComparison.minimumInvocations)…1000 (default 10).")
    var invocations: Int?

    @Option(help: "Time budget in seconds for the runs, 1…604800: K is chosen from the first pair's duration (at least 3, at most 100).")
    var budget: Double?

    @Option(help: "Half-width of the no-change band around ratio 1, in percent, 0…1000.")
    var threshold: Double = 5

    @Option(help: "Confidence level of the interval.")
    var confidence: Double = 0.95

    @Option(help: "Bootstrap resamples per case, 100…100000.")
    var resamples: Int = 2000

    @Option(help: "Seed of the run order and the bootstrap.")
    var seed: UInt64 = 1

    @Option(name: .customLong("case"), help: "Judge only cases whose name contains one of these (comma-separated), e.g. lazy/batch/live/free/t1/64B/ns_per_op.")
    var caseFilter: String?

    @Option(help: "Output format.")
    var format: ComparisonFormat = .txt

    @Option(help: "Seconds after which one invocation is killed, 1…86400.")
    var timeout: Double = 600

    @Option(help: "Append each side's invocations (clean commits only) to this history directory.")
    var history: String?

    @Option(help: "Keep the invocations' results CSVs in this directory (base-N.csv, new-N.csv; a name already taken gets -2, -3…: nothing is replaced).")
    var keep: String?

    @Option(name: .customLong("base-bench"), help: "Use this bench binary as the base side instead of building BASE.")
    var baseBench: String?

    @Option(name: .customLong("new-bench"), help: "Use this bench binary as the new side instead of building NEW.")
    var newBench: String?

    @Option(help: "Build cache directory (default: .build-ab in the repository's top level).")
    var cache: String?

    @Flag(help: "Only build (or find in the cache) both revisions, then exit.")
    var buildOnly = false

    @Flag(help: "The full default matrix instead of --quick.")
    var full = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    // Passed through to every invocation (`bench run` checks them).
    @Option(name: .customLong("strategy"), help: "Passed to every invocation (see `bench run --help`).") var strategy: String?
    @Option(name: .customLong("workload"), help: "Passed to every invocation.") var workload: String?
    @Option(name: .customLong("threads"), help: "Passed to every invocation.") var threads: String?
    @Option(name: .customLong("cpus"), help: "Passed to every invocation.") var cpus: String?
    @Option(name: .customLong("size"), help: "Passed to every invocation.") var size: String?
    @Option(help: "Passed to every invocation.") var duration: Int?
    @Option(help: "Passed to every invocation.") var warmup: Int?
    @Option(help: "Passed to every invocation.") var repetitions: Int?
    @Option(name: .customLong("map-values"), help: "Passed to every invocation.") var mapValues: Int?

    func validate() throws {
        if base == nil && baseBench == nil { throw ValidationError("give the BASE revision or --base-bench") }
        if base != nil && baseBench != nil && new == nil && newBench == nil {
            throw ValidationError("with --base-bench, the revision argument is NEW; give NEW or --new-bench")
        }
        for path in [baseBench, newBench].compactMap({ $0 }) where !FileManager.default.isExecutableFile(atPath: path) {
            throw ValidationError("'\(path)' is not an executable bench binary")
        }
        if history != nil && baseBench != nil && newBench != nil {
            throw ValidationError("--history needs a revision on at least one side: a prebuilt binary's commit is unknown to ab, so nothing would be filed")
        }
        if invocations != nil && budget != nil { throw ValidationError("give --invocations or --budget, not both") }
        try OptionRange(name: "invocations", range: AbComparison.minimumInvocations...1000, unit: "per side").check(invocations)
        try OptionRange(name: "budget", range: 1.0...604_800, unit: "seconds").checkFinite(budget)
        try OptionRange(name: "threshold", range: 0.0...1000, unit: "%").checkFinite(threshold)
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1), got \(confidence)") }
        try OptionRange(name: "resamples", range: 100...100_000, unit: "").check(resamples)
        try OptionRange(name: "timeout", range: 1.0...86_400, unit: "seconds").checkFinite(timeout)
        // The pass-through options, checked here too: a typo must not wait for two release builds.
        try OptionRange(name: "duration", range: 1...Limits.maxPhaseMs, unit: "ms").check(duration)
        try OptionRange(name: "warmup", range: 0...Limits.maxPhaseMs, unit: "ms").check(warmup)
        try OptionRange(name: "repetitions", range: 1...Limits.maxRepetitions, unit: "").check(repetitions)
        try OptionRange(name: "map-values", range: 1...Limits.maxMapValues, unit: "").check(mapValues)
    }

    /// The arguments every invocation gets.
    var childArguments: [String] {
        var args = full ? [] : ["--quick"]
        let passed: [(String, String?)] = [
            ("--strategy", strategy), ("--workload", workload), ("--threads", threads), ("--cpus", cpus), ("--size", size),
            ("--duration", duration.map(String.init)), ("--warmup", warmup.map(String.init)),
            ("--repetitions", repetitions.map(String.init)), ("--map-values", mapValues.map(String.init)),
        ]
        for (name, value) in passed { if let value { args += [name, value] } }
        // Safety verdicts are not performance, and the replay costs a second per invocation.
        return args + ["--no-scenarios", "--quiet", "--format", "csv"]
    }

    func run() throws {
        let filter = try caseFilter.map { try OptionList.split($0, what: "case") } ?? []
        let options = AbOptions(thresholdPercent: threshold, confidence: confidence, resamples: resamples, seed: seed,
                                caseFilter: filter)
        let session = AbSession(command: self, options: options)
        let code: Int32
        // A signal goes on to the measuring child; ab waits for it, removes its scratch, exits 128 + signal.
        RunInterrupt.install()
        do {
            code = try ChildProcess.blocking { try await session.run() }
        } catch where RunInterrupt.isSet {
            // Whatever failed (a build, git, a child) failed because of the signal.
            BenchError(message: "interrupted; the measuring child stopped, no comparison", code: RunInterrupt.exitCode).exit()
        } catch let e as BenchError {
            e.exit()
        } catch let e as RevisionBuild.Failure {
            if case .notARevision = e { BenchError.usage(e.description).exit() }
            BenchError(message: e.description, code: SysExit.unavailable).exit()
        } catch let e as ResultsCSVError {
            BenchError(message: "\(e)", code: SysExit.dataError).exit()
        } catch let e as AbCaseFilterError {
            BenchError.usage(e.description).exit()
        } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }
        if code != 0 { throw ExitCode(code) }
    }
}
