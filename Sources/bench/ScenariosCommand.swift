import ArgumentParser
import BPFModel
import Foundation
import Platform
import Reports
import Results
import Runner
import Scenarios
import Strategies

/// `bench scenarios`: the thread's hazards replayed against every strategy in the checked BPF
/// model, one verdict per (scenario, strategy), judged against the README's expectation table.
struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Replay the thread's lifetime hazards against each strategy and report safe / leak / use-after-free.",
        discussion: """
            Scenarios: \(Scenario.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
            Every object and allocator is watched by the model's checker; a verdict is what it observed, \
            never assumed. Each scenario runs under both reuse rules by default (--rule): immediate \
            (\(ReuseRule.immediate.summary)) and rcu (\(ReuseRule.rcu.summary)). Randomized scenarios \
            race pinned workers over --iterations replays and report the worst one. --controls runs \
            instead each scenario's negative control: a bug planted in a safe case, which must yield its \
            fault. Formats: csv (rows metric=verdict, op=<rule>, phase=scenario or control: 0 safe, 1 \
            leak, 2 use-after-free, 3 unsafe-context), md, txt (≤ 75-column mail), json; written \
            atomically to --output as <run-id>-scenarios.<format> (or -controls).
            Exit status: 0 every verdict matches the expectation table (every control yields its \
            planted fault), 2 some verdict differs (some control does not), 64 usage, \
            69 a racing scenario needs two CPUs and the machine has one, 70 a scenario could not run, 73 \
            cannot write, 74 the report cannot be written to stdout, 130 interrupted (^C, or 143 SIGTERM, \
            129 SIGHUP: the replay stops before its next iteration and nothing is written; a second ^C \
            exits at once). The racing scenarios (\(Scenario.racingNames)) need two distinct CPUs: one CPU \
            cannot race.
            """)

    @OptionGroup var selection: StrategySelection<LifetimeStrategies>

    @Option(name: .customLong("scenario"), parsing: .unconditional, help: "Comma-separated scenarios, or all (\(Scenario.allCases.map(\.rawValue).joined(separator: ", "))).")
    var scenario = "all"

    @Option(name: .customLong("rule"), parsing: .unconditional, help: "Comma-separated reuse rules, or all (\(ReuseRule.allCases.map(\.rawValue).joined(separator: ", "))).")
    var rule = "all"

    @Flag(help: "Run each scenario's negative control (a planted bug that must yield its fault) instead of the verdict matrix.")
    var controls = false

    @Flag(name: .customLong("disarm-controls"), help: .hidden)
    var disarmControls = false

    @Option(parsing: .unconditional, help: "Replays of each randomized scenario (default \(ScenarioSettings.defaults.iterations)); scripted ones run once.")
    var iterations: Int?

    @Option(parsing: .unconditional, help: "Seed of the randomized interleavings (default \(ScenarioSettings.defaultSeed), \"bpf_ma\"); the same seed replays the same plans.")
    var seed: UInt64 = ScenarioSettings.defaultSeed

    @Option(name: .customLong("cpus"), parsing: .unconditional, help: "CPUs for the pinned racing workers, two distinct ones, kernel list syntax like 0-1 (default: the first two online).")
    var cpus: String?

    @OptionGroup var outputOptions: OutputOptions<Output>

    @Flag(name: .customLong("no-kernel"), help: "Replay the scenarios in the model only: skip running their sequences against the real kernel (safety.bpf.c around bpf_global_ma).")
    var noKernel = false

    @Flag(help: "Print each named scenario's BPF shape (programs, maps, syscalls, runs and the references each run holds) instead of running; no name or all: every scenario.")
    var explain = false

    @Argument(help: "With --explain: scenario names, or all.")
    var explainNames: [String] = []

    func run() throws {
        if explain || !explainNames.isEmpty {
            do { StandardOutput.write(try Self.explanation(explain: explain, names: explainNames)) } catch let e as BenchError { e.exit() }
            return
        }
        let sweep: ScenarioSweep
        let formats: [ResultFormat]
        do {
            sweep = try makeSweep()
            formats = outputOptions.formats
            try AtomicFileWriter.prepare(directory: outputOptions.output)
        } catch let e as BenchError {
            e.exit()
        } catch let e as AtomicFileWriter.Failure {
            BenchError(message: e.description, code: SysExit.cantCreate).exit()
        }
        let commandLine = Invocation.commandLine
        let context = RunContext.detect(topology: Topology.current(), command: commandLine)
        RunInterrupt.install()
        let verdicts: [SafetyVerdict]
        do { verdicts = try sweep.run() } catch let e as ScenarioSweep.Failure {
            if RunInterrupt.isSet { BenchError(message: "interrupted; no files written", code: RunInterrupt.exitCode).exit() }
            BenchError(message: e.description, code: SysExit.software).exit()
        }

        let settings = "\(sweep.settings.iterations) iterations per randomized scenario, seed \(sweep.settings.seed), " +
            "racing workers on CPUs \(CPUList.format(sweep.settings.cpus)), reuse rules \(sweep.rules.map(\.rawValue).joined(separator: ", "))"
            + (sweep.controls ? "; negative controls\(sweep.disarmed ? ", disarmed" : "")" : "")
        let description = RunDescription(
            context: context, runID: context.runID + (sweep.controls ? "-controls" : "-scenarios"), settings: settings, notes: [])
        var kernelRows: [ResultRow] = []
        if !sweep.controls && !noKernel {
            switch KernelScenarioChecks(scenarios: sweep.scenarios, cpus: sweep.settings.cpus, quiet: outputOptions.quiet).run() {
            case .success(let checks): kernelRows = checks.flatMap { $0.rows(context: context.rowTemplate) }
            case .failure(let why): if !outputOptions.quiet { fputs("note: safety scenarios not run in the kernel: \(why)\n", stderr) }
            }
        }
        let rows = verdicts.map { $0.row(context: context.rowTemplate) } + kernelRows
        let sections = ReportSections(rows: kernelRows, safety: verdicts)
        let mail = MailReport.render(description, sections)
        let base = (outputOptions.output as NSString).appendingPathComponent(description.runID)
        let files = ReportFiles.publish(formats, base: base, description: description, sections: sections, rows: rows, mail: mail)
        StandardOutput.write(mail)
        if !outputOptions.quiet { for f in files { fputs("wrote \(f.path)\n", stderr) } }
        if let message = Self.mismatch(verdicts, controls: sweep.controls) {
            BenchError(message: message, code: SysExit.verdictMismatch).exit()
        }
    }

    /// `--explain [NAME…]`: the shapes' text, one blank line between scenarios.
    static func explanation(explain: Bool, names: [String]) throws -> String {
        guard explain else { throw BenchError.usage("scenario names as arguments need --explain") }
        var scenarios: [Scenario] = []
        for name in names.isEmpty ? ["all"] : names {
            if name == "all" { scenarios += Scenario.allCases } else if let s = Scenario(rawValue: name) { scenarios.append(s) } else {
                throw BenchError.usage("unknown scenario '\(name)' (valid: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")), all)")
            }
        }
        return OptionList.unique(scenarios).map { $0.explanation.joined(separator: "\n") + "\n" }.joined(separator: "\n")
    }

    /// The one line of a run that must exit 2: a verdict that differs from the expectation
    /// table, or a control that did not yield its planted fault (safe, or another fault).
    static func mismatch(_ verdicts: [SafetyVerdict], controls: Bool) -> String? {
        let unexpected = verdicts.filter { !$0.matchesExpectation }
        guard let first = unexpected.first else { return nil }
        let n = unexpected.count
        if controls {
            return "\(n) negative control\(n == 1 ? "" : "s") did not yield the planted fault, first: \(first.scenario) × "
                + "\(first.strategy) (\(first.control ?? ""), \(first.rule) reuse) is \(first.label), planted \(first.expected.rawValue)"
        }
        return "\(n) verdict\(n == 1 ? "" : "s") differ from the expectation table, "
            + "first: \(first.scenario) × \(first.strategy) (\(first.rule) reuse) is \(first.label), expected \(first.expected.rawValue)"
    }

    func makeSweep() throws -> ScenarioSweep {
        if disarmControls && !controls { throw BenchError.usage("--disarm-controls needs --controls") }
        var rules: [ReuseRule] = []
        for name in try OptionList.split(rule, what: "reuse rule") {
            if name == "all" { rules += ReuseRule.allCases } else if let r = ReuseRule(rawValue: name) { rules.append(r) } else {
                throw BenchError.usage("unknown reuse rule '\(name)' (valid: \(ReuseRule.allCases.map(\.rawValue).joined(separator: ", ")), all)")
            }
        }
        rules = OptionList.unique(rules)
        let strategies = selection.strategy.elements
        var scenarios: [Scenario] = []
        for name in try OptionList.split(scenario, what: "scenario") {
            if name == "all" { scenarios += Scenario.allCases } else if let s = Scenario(rawValue: name) { scenarios.append(s) } else {
                throw BenchError.usage("unknown scenario '\(name)' (valid: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")), all)")
            }
        }
        scenarios = OptionList.unique(scenarios)
        let settings = try ScenarioSettings.fromOptions(iterations: iterations, seed: seed, cpus: cpus)
        // One CPU cannot race: the verdict of a racing scenario would be reported as if it had.
        if let racing = scenarios.first(where: \.isRandomized), settings.cpus.count < 2 {
            let why = "scenario \(racing.rawValue) races two pinned workers and needs two distinct CPUs"
            if let cpus { throw BenchError.usage("\(why); --cpus \(cpus) names one") }
            throw BenchError(message: "\(why); this process may run on one only", code: SysExit.unavailable)
        }
        return ScenarioSweep(scenarios: scenarios, strategies: strategies, settings: settings, quiet: outputOptions.quiet, rules: rules,
                             controls: controls, disarmed: disarmControls)
    }
}

extension Scenario {
    /// The scenarios that race two pinned workers, comma-separated.
    static var racingNames: String { allCases.filter(\.isRandomized).map(\.rawValue).joined(separator: ", ") }
}

extension ScenariosCommand {
    /// `bench scenarios`' output defaults: csv, md and txt (no json).
    enum Output: OutputDefaults {
        static var formats: CommaList<Formats> { CommaList([.one(.csv), .one(.md), .one(.txt)]) }
        static let quietHelp = "No progress on stderr."
    }
}
