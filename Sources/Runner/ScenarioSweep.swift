import BPFModel
import Foundation
import Glibc
import Platform
import Reports
import Results
import Scenarios
import Strategies

/// Replays reuse rules × scenarios × strategies (or the negative controls of the scenarios
/// under each rule) with progress on stderr and turns the outcomes into the reports' verdicts;
/// shared by `bench scenarios` and the safety part of `bench [run]`.
public struct ScenarioSweep {
    public let scenarios: [Scenario]
    public let strategies: [StrategyKind]
    public let settings: ScenarioSettings
    public let quiet: Bool
    public var rules: [ReuseRule] = ReuseRule.allCases
    /// Run the scenarios' negative controls instead of the verdict matrix.
    public var controls = false
    /// Controls without their planted bug (CI: a control that comes out safe must fail the run).
    public var disarmed = false

    public init(scenarios: [Scenario], strategies: [StrategyKind], settings: ScenarioSettings, quiet: Bool,
         rules: [ReuseRule] = ReuseRule.allCases, controls: Bool = false, disarmed: Bool = false) {
        self.scenarios = scenarios
        self.strategies = strategies
        self.settings = settings
        self.quiet = quiet
        self.rules = rules
        self.controls = controls
        self.disarmed = disarmed
    }

    /// One replay of the sweep.
    private struct Job {
        let scenario: Scenario
        let strategy: StrategyKind
        let rule: ReuseRule
        let control: ScenarioControl?
    }

    private var jobs: [Job] {
        if controls {
            return rules.flatMap { rule in
                scenarios.map(ScenarioControl.control(for:)).map { Job(scenario: $0.scenario, strategy: $0.strategy, rule: rule, control: $0) }
            }
        }
        return rules.flatMap { rule in
            scenarios.flatMap { scenario in strategies.map { Job(scenario: scenario, strategy: $0, rule: rule, control: nil) } }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every verdict, rules outer, then scenarios, strategies inner (the order of the tables).
    public func run() throws -> [SafetyVerdict] {
        var verdicts: [SafetyVerdict] = []
        let jobs = self.jobs
        let total = jobs.count
        let start = Date()
        var done = 0
        for job in jobs {
            if RunInterrupt.isSet { throw Failure(description: "interrupted") }
            let what = job.control.map { "control \($0.plant.rawValue): " } ?? ""
            let name = "\(what)scenario \(job.scenario.rawValue) × \(job.strategy.rawValue), \(job.rule.rawValue) reuse"
            let label = "[\(done + 1)/\(total)] \(name)"
            if !quiet { fputs("\(label)…\n", stderr) }
            let outcome: ScenarioOutcome
            FailureContext.set(name)
            defer { FailureContext.set("") }
            do {
                let stop = { RunInterrupt.isSet }
                let progress: (Int, Int) -> Void = { i, n in
                    // Long randomized replays: a line per 10 % on a terminal-free stderr.
                    if !quiet && n >= 1000 && i > 0 && i % (n / 10) == 0 && i < n {
                        fputs("  \(label): \(i)/\(n) iterations\n", stderr)
                    }
                }
                if let control = job.control {
                    outcome = try ScenarioRunner.run(control, rule: job.rule, settings: settings, armed: !disarmed,
                                                     shouldStop: stop, progress: progress)
                } else {
                    outcome = try ScenarioRunner.run(job.scenario, strategy: job.strategy, rule: job.rule, settings: settings,
                                                     shouldStop: stop, progress: progress)
                }
            } catch ScenarioError.interrupted {
                throw Failure(description: "interrupted")
            } catch {
                throw Failure(description: "\(name): \(error)")
            }
            verdicts.append(Self.verdict(outcome, control: job.control, settings: settings))
            done += 1
            if !quiet {
                let v = verdicts.last!
                let elapsed = Date().timeIntervalSince(start)
                let eta = elapsed / Double(done) * Double(total - done)
                fputs("  → \(v.label)\(v.matchesExpectation ? "" : " (expected \(v.expected.rawValue))"), "
                    + String(format: "%.2f s, ETA %.0f s\n", Double(outcome.elapsedNanoseconds) / 1e9, eta), stderr)
            }
        }
        if RunInterrupt.isSet { throw Failure(description: "interrupted") }
        return verdicts
    }

    static func verdict(_ o: ScenarioOutcome, control: ScenarioControl? = nil, settings: ScenarioSettings) -> SafetyVerdict {
        // Every scenario runs its two programs on two pinned workers (sharing a CPU when
        // --cpus names one).
        let threads = 2
        let rationale = control?.why ?? ScenarioExpectations.rationale(o.scenario, o.strategy, o.rule)
        return SafetyVerdict(
            scenario: o.scenario.rawValue, title: o.scenario.title, strategy: o.strategy.rawValue, rule: o.rule.rawValue,
            control: control.map { o.plant == nil ? "\($0.plant.rawValue) (disarmed)" : $0.plant.rawValue },
            kind: SafetyVerdict.Kind(o.verdict.kind), label: o.verdict.label,
            expected: SafetyVerdict.Kind(o.expected), evidence: o.evidence, rationale: rationale,
            iterations: o.iterations, faultyIterations: o.faultyIterations, threads: threads,
            cpus: CPUList.format(Array(settings.cpus.prefix(2))), size: ScenarioSettings.objectSize)
    }
}

extension SafetyVerdict.Kind {
    /// The report's verdict for the scenarios' own (the two layers name the same four outcomes;
    /// a fifth added to one and not the other fails to compile here).
    init(_ kind: VerdictKind) {
        switch kind {
        case .safe: self = .safe
        case .leak: self = .leak
        case .useAfterFree: self = .useAfterFree
        case .unsafeContext: self = .unsafeContext
        }
    }
}
