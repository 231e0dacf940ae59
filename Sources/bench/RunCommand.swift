import ArgumentParser
import KernelAllocator
import Foundation
import Platform
import Reports
import Runner
import Scenarios
import Strategies
import SystemAllocators

/// `bench [run]`: the measured matrix. What users type: `swift run bench --strategy all`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the matrix of strategies × workloads × threads × sizes through every phase.",
        discussion: """
            Strategies: \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", ")); references: \
            \(SystemAllocatorKind.allCases.map(\.rawValue).joined(separator: ", ")), freelist, noop, kernel, kernel-htab, \
            kernel-harness. `all` = every strategy, every installed system allocator, freelist, noop and (when BPF \
            programs can be loaded) the kernel subjects.
            Workloads: \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")) (or all).
            Formats: csv, md, txt (≤ 75-column mail), json. Files are written atomically to --output as \
            <run-id>.<format>; progress and ETA go to stderr, the summary to stdout.
            After the measurements, the thread's hazards are replayed for the lifetime strategies measured \
            (`bench scenarios` with its defaults, --no-scenarios skips it): verdicts join the CSV \
            (metric=verdict) and the reports put each strategy's cost next to them.
            Exit status: 0 done, 2 a safety verdict differs from the README's expectation table (files are \
            written), 64 usage, 69 unavailable, 70 a case broke an invariant or the replay could not run (files \
            are written), 73 cannot write, \
            130 interrupted (finished cases are kept).
            """)

    @Option(name: .customLong("strategy"), help: "Comma-separated strategies and references, or all.")
    var strategy = "all"

    @Option(name: .customLong("workload"), help: "Comma-separated workloads, or all.")
    var workload = "all"

    @Option(name: .customLong("threads"), help: "Comma-separated worker counts, each pinned one per CPU (default: 1 and every CPU of --cpus).")
    var threads: String?

    @Option(name: .customLong("cpus"), help: "CPUs to pin workers to, kernel list syntax like 0-3,8 (default: every online CPU).")
    var cpus: String?

    @Option(name: .customLong("size"), help: "Comma-separated object sizes in bytes, 1…4088.")
    var size = "64"

    @Option(help: "Measured time per phase per repetition, in ms (default 40, --quick 8).")
    var duration: Int?

    @Option(help: "Warm-up before the live phase, in ms, discarded (default 10, --quick 2).")
    var warmup: Int?

    @Option(help: "Repetitions per case; each builds a fresh allocator and kills it (default 5, --quick 3).")
    var repetitions: Int?

    @Option(name: .customLong("map-values"), help: "Values in the case's array map: objects outstanding at the kill and walked at unload.")
    var mapValues = 16384

    @Flag(help: "Add the latency pass: single operations timed with fenced rdtsc into HdrHistograms.")
    var latency = false

    @Flag(help: "Short phases for a fast look (≈ 15 s for the default matrix).")
    var quick = false

    @Option(help: "Directory for the result files.")
    var output = "Results"

    @Option(help: "Comma-separated formats: csv, md, txt, json.")
    var format = "csv,md,txt,json"

    @Option(help: "Seed for the workloads' random streams.")
    var seed: UInt64 = 1

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(name: .customLong("no-scenarios"), help: "Skip the safety replay (`bench scenarios` with default iterations) that follows the measurements of lifetime strategies.")
    var noScenarios = false

    func run() throws {
        let plan: Plan
        let formats: [ResultFormat]
        let notes: [String]
        let scenarioSettings: ScenarioSettings
        do {
            (plan, notes) = try makePlan()
            formats = try ResultFormat.parse(format)
            // The safety replay that follows: default iterations, --seed, racing on --cpus.
            scenarioSettings = try ScenariosCommand.settings(iterations: nil, seed: seed, cpus: cpus)
            try AtomicFileWriter.prepare(directory: output)
        } catch let e as BenchError {
            e.exit()
        } catch let e as AtomicFileWriter.Failure {
            BenchError(message: e.description, code: SysExit.cantCreate).exit()
        }
        if !quiet { for n in notes { fputs("note: \(n)\n", stderr) } }

        let commandLine = (["bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let context = RunContext.detect(topology: plan.topology, command: commandLine)
        let runner: BenchRunner
        do { runner = try BenchRunner(plan: plan, context: context, quiet: quiet) } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }
        if context.build != "release" && !quiet {
            fputs("note: debug configuration; the measured modules are compiled -O regardless (build column: \(context.build))\n", stderr)
        }
        BenchRunner.installInterruptHandler()
        let outcome: BenchRunner.Outcome
        do { outcome = try runner.run() } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }

        // Safety next to cost: the thread's hazards replayed for the strategies just measured.
        var safety: [SafetyVerdict] = []
        var safetyFailure: String?
        let strategies = plan.subjects.compactMap { if case .strategy(let k) = $0 { k } else { nil } }
        if !noScenarios && !outcome.interrupted && !strategies.isEmpty {
            let sweep = ScenarioSweep(scenarios: Scenario.allCases, strategies: strategies,
                                      settings: scenarioSettings, quiet: quiet)
            ScenarioSweep.installInterruptHandler()
            // The measurements are kept whatever happens to the replay.
            do { safety = try sweep.run() } catch {
                safetyFailure = ScenarioInterrupt.isSet ? "safety scenarios interrupted: no verdicts"
                    : "safety scenarios could not run (\(error)): no verdicts"
                if !quiet { fputs("note: \(safetyFailure!)\n", stderr) }
            }
        }
        let rows = outcome.rows + safety.map { $0.row(context: context.rowTemplate) }

        let settingsText = "duration \(plan.settings.durationNs / 1_000_000) ms, warm-up \(plan.settings.warmupNs / 1_000_000) ms, " +
            "\(plan.settings.repetitions) repetitions, \(plan.settings.mapValuesText) map values, " +
            String(format: "TSC %.3f GHz, timer overhead %d ticks", runner.tscTicksPerNs, runner.timerOverheadTicks)
        let description = RunDescription(
            runID: context.runID, command: commandLine, host: context.host, cpuModel: context.cpuModel,
            cpus: context.onlineCPUs, nodes: context.nodes, kernel: context.kernel, swift: context.swift,
            build: context.build, commit: context.commit, timestamp: context.timestamp, settings: settingsText,
            notes: notes + (outcome.interrupted ? ["interrupted: \(outcome.finishedCases) finished cases kept"] : [])
                + (safetyFailure.map { [$0] } ?? []))
        // The per-case comparison with system allocators is long: the mail keeps the pair
        // workload's lines (the fast path the thread argued about); the CSV has every case.
        let comparison = Findings.lines(outcome.rows).filter { line in
            !["batch/", "remote/", "kptr-xchg/", "larson/"].contains { line.contains(" \($0)") }
        }
        let sections = ReportSections(rows: outcome.rows, extraFindings: comparison, safety: safety)
        let mail = MailReport.render(description, sections)

        let base = (output as NSString).appendingPathComponent(context.runID)
        let files: [(path: String, contents: String)]
        do { files = try ReportFiles.render(formats, base: base, description: description, sections: sections, rows: rows, mail: mail) } catch {
            BenchError(message: "cannot render the reports: \(error)", code: SysExit.software).exit()
        }
        if !outcome.rows.isEmpty {
            do { try AtomicFileWriter.write(files) } catch {
                BenchError(message: "\(error)", code: SysExit.cantCreate).exit()
            }
        }
        print(mail, terminator: "")
        if !quiet {
            for f in files where !outcome.rows.isEmpty { fputs("wrote \(f.path)\n", stderr) }
            if formats.contains(.csv) && !outcome.rows.isEmpty { fputs("plots: scripts/plot \(base).csv\n", stderr) }
        }
        if outcome.interrupted || ScenarioInterrupt.isSet { Foundation.exit(SysExit.interrupted) }
        if let safetyFailure { BenchError(message: safetyFailure, code: SysExit.software).exit() }
        if let first = safety.first(where: { !$0.matchesExpectation }) {
            let n = safety.filter { !$0.matchesExpectation }.count
            BenchError(message: "\(n) safety verdict\(n == 1 ? "" : "s") differ from the expectation table, first: "
                + "\(first.scenario) × \(first.strategy) is \(first.label), expected \(first.expected.rawValue)",
                code: SysExit.verdictMismatch).exit()
        }
    }

    func makePlan() throws -> (Plan, [String]) {
        var notes: [String] = []
        let machine = Topology.current()
        let cpuIDs: [Int]
        do { cpuIDs = try cpus.map { try machine.resolve(cpuList: $0) } ?? machine.cpus.map(\.id) } catch let e as PlatformError {
            throw BenchError.usage(e.description)
        }
        let topology = machine

        // Subjects.
        let available = SystemAllocator.available()
        var subjects: [SubjectChoice] = []
        let validNames = StrategyKind.allCases.map(\.rawValue) + SystemAllocatorKind.allCases.map(\.rawValue) + ["freelist", "noop"]
            + KernelSubjectKind.allCases.map(\.rawValue)
        for name in try OptionList.split(strategy, what: "strategy") {
            if name == "all" {
                subjects += StrategyKind.allCases.map { .strategy($0) }
                subjects += available.allocators.map { .system($0) }
                notes += available.skipped.map { "skipping \($0.kind.rawValue): \($0.description)" }
                subjects += [.freelist, .noop]
                // The kernel's own allocator, when this machine can load BPF programs.
                do {
                    try KernelEnvironment.current().check()
                    subjects += KernelSubjectKind.allCases.map { .kernel($0) }
                } catch {
                    notes.append("skipping the kernel subjects: \(error.description)")
                }
            } else if let k = KernelSubjectKind(rawValue: name) {
                // Asked for by name: a missing piece becomes n/a rows with the reason, not an error.
                subjects.append(.kernel(k))
            } else if let k = StrategyKind(rawValue: name) {
                subjects.append(.strategy(k))
            } else if let k = SystemAllocatorKind(rawValue: name) {
                if let a = available.allocator(k) { subjects.append(.system(a)) } else {
                    let why = available.skipped.first { $0.kind == k }?.description ?? "\(k.rawValue) is not available"
                    throw BenchError(message: why, code: SysExit.unavailable)
                }
            } else if name == "freelist" {
                subjects.append(.freelist)
            } else if name == "noop" {
                subjects.append(.noop)
            } else {
                throw BenchError.usage("unknown strategy '\(name)' (valid: \(validNames.joined(separator: ", ")), all)")
            }
        }
        var seen = Set<String>()
        subjects = subjects.filter { seen.insert($0.description).inserted }

        // Workloads.
        var workloads: [WorkloadKind] = []
        for name in try OptionList.split(workload, what: "workload") {
            if name == "all" { workloads += WorkloadKind.allCases } else if let w = WorkloadKind(rawValue: name) { workloads.append(w) } else {
                throw BenchError.usage("unknown workload '\(name)' (valid: \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")), all)")
            }
        }
        var seenW = Set<WorkloadKind>()
        workloads = workloads.filter { seenW.insert($0).inserted }

        // Threads: one pinned worker per CPU, so never more workers than CPUs.
        let threadCounts: [Int]
        if let t = threads {
            threadCounts = try OptionList.split(t, what: "threads").map {
                guard let n = Int($0), n > 0 else { throw BenchError.usage("invalid thread count '\($0)' (positive integers)") }
                guard n <= cpuIDs.count else {
                    throw BenchError.usage("\(n) threads but only \(cpuIDs.count) CPUs (\(CPUList.format(cpuIDs))): workers are pinned one per CPU")
                }
                return n
            }
        } else {
            threadCounts = cpuIDs.count > 1 ? [1, cpuIDs.count] : [1]
        }

        let sizes: [Int] = try OptionList.split(size, what: "size").map {
            guard let n = Int($0), n >= 1, n <= 4088 else {
                throw BenchError.usage("invalid size '\($0)': object sizes are 1…4088 bytes (4096-byte class minus the 8-byte header)")
            }
            return n
        }
        let durationMs = duration ?? (quick ? 8 : 40)
        let warmupMs = warmup ?? (quick ? 2 : 10)
        let reps = repetitions ?? (quick ? 3 : 5)
        guard durationMs > 0 else { throw BenchError.usage("--duration must be > 0 ms") }
        guard warmupMs >= 0 else { throw BenchError.usage("--warmup must be ≥ 0 ms") }
        guard reps > 0 else { throw BenchError.usage("--repetitions must be > 0") }
        guard mapValues >= threadCounts.max()! && mapValues <= 1 << 24 else {
            throw BenchError.usage("--map-values must be between the thread count and 16777216")
        }
        let settings = RunSettings(durationNs: durationMs * 1_000_000, warmupNs: warmupMs * 1_000_000, repetitions: reps,
                                   latency: latency, mapSlots: mapValues, seed: seed)
        return (Plan(subjects: subjects, workloads: workloads, threads: threadCounts, cpus: cpuIDs, sizes: sizes,
                     settings: settings, topology: topology), notes)
    }
}

extension RunSettings {
    var mapValuesText: String { "\(mapSlots)" }
}
