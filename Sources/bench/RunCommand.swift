import ArgumentParser
import Foundation
import KernelAllocator
import Platform
import Reports
import Results
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
            kernel-harness; the policies in the kernel: kernel-atomic, kernel-percpu-ref, kernel-lazy, kernel-hybrid. \
            `all` = every strategy, every installed system allocator, freelist, noop and (when BPF programs can be \
            loaded) the kernel subjects.
            With a kernel policy in the run, two kernel phases follow the rounds: the interleaved blocks (every \
            policy against kernel-lazy, the same object, in fresh loads: the kernel table) and the kernel's own \
            refcounts (percpu_ref through a cgroup's css live and after rmdir killed it, refcount_t, beside the \
            emulations); about 40 s of the default run's ~115 s.
            Workloads: \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")) (or all).
            Formats: csv, md, txt (≤ 75-column mail), json. Files are written atomically to --output as \
            <run-id>.<format>; progress and ETA go to stderr, a one-screen summary (≤ 60 lines, kernel first, the files' paths) to stdout; --full-report prints the whole mail text instead.
            After the measurements, the thread's hazards are replayed for the lifetime strategies measured \
            (`bench scenarios` with its defaults, --no-scenarios skips it): verdicts join the CSV \
            (metric=verdict) and the reports put each strategy's cost next to them.
            Exit status: 0 done, 2 a safety verdict differs from the README's expectation table (files are \
            written), 64 usage, 69 unavailable, 70 a case broke an invariant or the replay could not run (files \
            are written with the cases finished before it), 73 cannot write (nothing is written; an existing \
            file is never replaced), 74 the summary cannot be written to stdout (files are written), \
            130 interrupted by ^C, 143 by SIGTERM, 129 by SIGHUP (the finished cases are kept; a second \
            signal exits at once). The racing safety scenarios need two CPUs: with one in --cpus they are skipped.
            """)

    @OptionGroup var selection: StrategySelection<RunSubjects>

    @Option(name: .customLong("workload"), parsing: .unconditional, help: "Comma-separated workloads, or all.")
    var workload: CommaList<Workloads> = .all

    @Option(name: .customLong("threads"), parsing: .unconditional, help: "Comma-separated worker counts, each pinned one per CPU (default: 1 and every CPU of --cpus).")
    var threads: String?

    @Option(name: .customLong("cpus"), parsing: .unconditional, help: "CPUs to pin workers to, kernel list syntax like 0-3,8 (default: every online CPU).")
    var cpus: String?

    @Option(name: .customLong("size"), parsing: .unconditional, help: "Comma-separated object sizes in bytes, 1…4088.")
    var size = "64"

    @Option(parsing: .unconditional, help: "Measured time per phase per repetition, in ms, 1…\(Limits.maxPhaseMs) (default 40, --quick 8).")
    var duration: Int?

    @Option(parsing: .unconditional, help: "Warm-up before the live phase, in ms, discarded, 0…\(Limits.maxPhaseMs) (default 10, --quick 2).")
    var warmup: Int?

    @Option(parsing: .unconditional, help: "Repetitions per case, 1…\(Limits.maxRepetitions); each builds a fresh allocator and kills it (default 5, --quick 3).")
    var repetitions: Int?

    @Option(name: .customLong("map-values"), parsing: .unconditional, help: "Values in the case's array map: objects outstanding at the kill and walked at unload. A comma-separated list adds, per further size, a round of the walking strategies (lazy, hybrid, kmem-cache; pair, fewest threads) that keeps only their unload-walk rows, so the walk can be fitted against map size.")
    var mapValues = "16384"

    // On by default: it adds under a second to the default run (47.2 s with, 47.4 s without,
    // measured on the 2-CPU VM), and the refill/drain tail is what the watermarks exist for.
    @Flag(inversion: .prefixedNo, help: "The latency pass: single operations timed with fenced rdtsc into HdrHistograms (on by default; --no-latency skips it). Values below the clock's resolution (measured at start, printed in the settings) are shown as <N; rows within one clock step are left out, so the tables keep the watermark refills/drains and contended ops.")
    var latency = true

    @Flag(help: "Short phases for a fast look (≈ 15 s for the default matrix); an explicit --duration, --warmup or --repetitions still wins (the run says so).")
    var quick = false

    @OptionGroup var outputOptions: OutputOptions<Output>

    @Option(parsing: .unconditional, help: "Seed for the workloads' random streams.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("full-report"), help: ArgumentHelp(
        "Print the whole mail text on stdout (every table, then every claim), not the one-screen summary.",
        discussion: "By default stdout gets a summary of at most 60 lines, kernel first: the machine, the kernel table and its findings, one line each for ownership and safety, and the files written (txt/md/json/csv), which keep every table. The mail text is the .txt file; `bench report RUN.csv --format txt` prints it again later."))
    var fullReport = false

    @Flag(name: .customLong("no-scenarios"), help: "Skip the safety replay (`bench scenarios` with default iterations) that follows the measurements of lifetime strategies.")
    var noScenarios = false

    @Flag(name: .customLong("no-footprint"), help: "Skip the cost of owning an allocator on this machine (model per strategy, kernel map creation and memcg rows; about a second; `bench footprint` for injected topologies).")
    var noFootprint = false

    func validate() throws { try workload.validate() }

    func run() throws {
        let (plan, planNotes, formats, options) = prepare()
        let context = RunContext.detect(topology: plan.topology, command: Invocation.commandLine)
        let runner: BenchRunner
        do { runner = try BenchRunner(plan: plan, context: context, quiet: outputOptions.quiet) } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }
        if context.build != "release" && !outputOptions.quiet {
            fputs("note: debug configuration; the measured modules are compiled -O regardless (build column: \(context.build))\n", stderr)
        }
        RunInterrupt.install()
        let outcome = RunPipeline(plan: plan, context: context, runner: runner, options: options).run()
        let description = RunDescription(context: context, settings: settingsLine(plan, runner), notes: planNotes + outcome.notes)
        let sections = ReportSections(rows: outcome.rows, safety: outcome.safety)
        let mail = MailReport.render(description, sections)
        let base = (outputOptions.output as NSString).appendingPathComponent(context.runID)
        let rows = outcome.rows + outcome.safety.map { $0.row(context: context.rowTemplate) }
        let files = ReportFiles.publish(formats, base: base, description: description, sections: sections, rows: rows, mail: mail,
                                        write: !outcome.rows.isEmpty)
        if !outputOptions.quiet {
            for f in files { fputs("wrote \(f.path)\n", stderr) }
            if formats.contains(.csv) && !outcome.rows.isEmpty { fputs("plots: scripts/plot \(base).csv\n", stderr) }
        }
        StandardOutput.write(fullReport ? mail
            : TerminalSummary(description: description, rows: outcome.rows, safety: outcome.safety, sections: sections,
                              files: files.map(\.path)).render())
        Self.exit(after: outcome)
    }

    /// The plan, the formats and the pipeline's options, or a one-line error and its code.
    func prepare() -> (Plan, [String], [ResultFormat], RunPipeline.Options) {
        do {
            let (plan, notes) = try makePlan()
            let formats = outputOptions.formats
            var options = RunPipeline.Options()
            options.furtherMapSizes = Array(try mapSizes(atLeast: plan.threads.max()!).dropFirst())
            options.footprint = !noFootprint
            options.quiet = outputOptions.quiet
            // The safety replay that follows: default iterations, --seed, racing on --cpus.
            let scenarioSettings = try ScenarioSettings.fromOptions(iterations: nil, seed: seed, cpus: cpus)
            options.safety = noScenarios ? nil : scenarioSettings
            try AtomicFileWriter.prepare(directory: outputOptions.output)
            if !outputOptions.quiet { for n in notes { fputs("note: \(n)\n", stderr) } }
            return (plan, notes, formats, options)
        } catch let e as BenchError {
            e.exit()
        } catch let e as AtomicFileWriter.Failure {
            BenchError(message: e.description, code: SysExit.cantCreate).exit()
        } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }
    }

    func settingsLine(_ plan: Plan, _ runner: BenchRunner) -> String {
        "duration \(plan.settings.durationNs / 1_000_000) ms, warm-up \(plan.settings.warmupNs / 1_000_000) ms, "
            + "\(plan.settings.repetitions) repetitions, \(mapValues) map values, "
            + String(format: "TSC %.3f GHz, timer overhead %d ticks (%.0f ns), clock resolution %.0f ns",
                     runner.tscTicksPerNs, runner.timerOverheadTicks, Double(runner.timerOverheadTicks) / runner.tscTicksPerNs,
                     runner.clockResolutionNs)
    }

    /// The exit status of a finished run: 70 a failed case, 128 + signal, 70 no replay, 2 a verdict off the table.
    static func exit(after outcome: RunPipeline.Outcome) {
        if let failure = outcome.caseFailure {
            let kept = outcome.rows.isEmpty ? "no case finished, no files written" : "\(outcome.finishedCases) finished cases written"
            BenchError(message: "\(failure) (\(kept))", code: SysExit.software).exit()
        }
        if outcome.interrupted { Foundation.exit(RunInterrupt.exitCode) }
        if let failure = outcome.safetyFailure { BenchError(message: failure, code: SysExit.software).exit() }
        let off = outcome.safety.filter { !$0.matchesExpectation }
        if let first = off.first {
            BenchError(message: "\(off.count) safety verdict\(off.count == 1 ? "" : "s") differ from the expectation table, first: "
                + "\(first.scenario) × \(first.strategy) is \(first.label), expected \(first.expected.rawValue)",
                code: SysExit.verdictMismatch).exit()
        }
    }

    func makePlan() throws -> (Plan, [String]) {
        let machine = Topology.current()
        let cpuIDs: [Int]
        do { cpuIDs = try cpus.map { try machine.resolve(cpuList: $0) } ?? machine.cpus.map(\.id) } catch let e as PlatformError {
            throw BenchError.usage(e.description)
        }
        var (subjects, notes) = try parseSubjects()
        var seen = Set<String>()
        subjects = subjects.filter { seen.insert($0.description).inserted }
        let workloads = workload.elements
        // Threads: one pinned worker per CPU, so never more workers than CPUs.
        let threadCounts: [Int]
        if let t = threads {
            threadCounts = OptionList.unique(try OptionList.split(t, what: "threads").map {
                guard let n = Int($0), n > 0 else { throw BenchError.usage("invalid thread count '\($0)' (positive integers)") }
                guard n <= cpuIDs.count else {
                    throw BenchError.usage("\(n) threads but only \(cpuIDs.count) CPUs (\(CPUList.format(cpuIDs))): workers are pinned one per CPU")
                }
                return n
            })
        } else {
            threadCounts = cpuIDs.count > 1 ? [1, cpuIDs.count] : [1]
        }

        let sizes: [Int] = OptionList.unique(try OptionList.split(size, what: "size").map {
            guard let n = Int($0), n >= 1, n <= 4088 else {
                throw BenchError.usage("invalid size '\($0)': object sizes are 1…4088 bytes (4096-byte class minus the 8-byte header)")
            }
            return n
        })
        let durationMs = duration ?? (quick ? 8 : 40)
        let warmupMs = warmup ?? (quick ? 2 : 10)
        let reps = repetitions ?? (quick ? 3 : 5)
        // Bounded so ms → ns cannot overflow and a typo cannot ask for a year-long phase.
        guard durationMs > 0 && durationMs <= Limits.maxPhaseMs else {
            throw BenchError.usage("--duration must be 1…\(Limits.maxPhaseMs) ms, got \(durationMs)")
        }
        guard warmupMs >= 0 && warmupMs <= Limits.maxPhaseMs else {
            throw BenchError.usage("--warmup must be 0…\(Limits.maxPhaseMs) ms, got \(warmupMs)")
        }
        guard reps > 0 && reps <= Limits.maxRepetitions else {
            throw BenchError.usage("--repetitions must be 1…\(Limits.maxRepetitions), got \(reps)")
        }
        if quick {
            let explicit = [("--duration", duration, 8), ("--warmup", warmup, 2), ("--repetitions", repetitions, 3)]
                .compactMap { name, value, quickValue in value.map { "\(name) \($0) (not --quick's \(quickValue))" } }
            if !explicit.isEmpty { notes.append("--quick with explicit \(explicit.joined(separator: ", ")): the explicit values win") }
        }
        let mapSizes = try self.mapSizes(atLeast: threadCounts.max()!)
        let settings = RunSettings(durationNs: durationMs * 1_000_000, warmupNs: warmupMs * 1_000_000, repetitions: reps,
                                   latency: latency, mapSlots: mapSizes[0], seed: seed)
        return (Plan(subjects: subjects, workloads: workloads, threads: threadCounts, cpus: cpuIDs, sizes: sizes,
                     settings: settings, topology: machine), notes)
    }

    /// `--strategy` as subjects, in the order named (duplicates kept; the plan drops them), and
    /// the notes on what `all` skipped.
    func parseSubjects() throws -> ([SubjectChoice], [String]) {
        var notes: [String] = []
        // Loaded only when named: a system allocator initializes itself on load (tcmalloc aborts
        // there when memory is short), which a run of strategies only must not risk.
        let names = selection.strategy.items
        let available = SystemAllocator.available(SystemAllocatorKind.allCases.filter { k in
            names.contains { $0 == .all || $0 == .one(.system(k)) }
        })
        var subjects: [SubjectChoice] = []
        for name in names {
            switch name {
            case .all:
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
            case .one(.kernel(let k)):
                // Asked for by name: a missing piece becomes n/a rows with the reason, not an error.
                subjects.append(.kernel(k))
            case .one(.strategy(let k)):
                subjects.append(.strategy(k))
            case .one(.system(let k)):
                if let a = available.allocator(k) { subjects.append(.system(a)) } else {
                    let why = available.skipped.first { $0.kind == k }?.description ?? "\(k.rawValue) is not available"
                    throw BenchError(message: why, code: SysExit.unavailable)
                }
            case .one(.freelist):
                subjects.append(.freelist)
            case .one(.noop):
                subjects.append(.noop)
            }
        }
        return (subjects, notes)
    }
}

extension RunCommand {
    /// `--map-values` as sizes, the first being the main matrix's.
    func mapSizes(atLeast threads: Int) throws -> [Int] {
        OptionList.unique(try OptionList.split(mapValues, what: "map-values").map {
            guard let n = Int($0), n >= threads, n <= Limits.maxMapValues else {
                throw BenchError.usage("--map-values must be between the thread count and 16777216, got '\($0)'")
            }
            return n
        })
    }
}

extension RunCommand {
    /// `bench run`'s output defaults: every format; stdout keeps the summary under --quiet.
    enum Output: OutputDefaults {
        static var formats: CommaList<Formats> { .every }
        static let quietHelp = "No progress on stderr (stdout still gets the summary, or the whole report with --full-report)."
    }
}
