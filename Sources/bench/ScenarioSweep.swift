import Foundation
import Glibc
import Platform
import Reports
import Runner
import Scenarios
import Strategies

/// Replays scenarios × strategies with progress on stderr and turns the outcomes into the
/// reports' verdicts; shared by `bench scenarios` and the safety part of `bench [run]`.
struct ScenarioSweep {
    let scenarios: [Scenario]
    let strategies: [StrategyKind]
    let settings: ScenarioSettings
    let quiet: Bool

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Every verdict, scenarios outer, strategies inner (the order of the tables).
    func run() throws -> [SafetyVerdict] {
        var verdicts: [SafetyVerdict] = []
        let total = scenarios.count * strategies.count
        let start = Date()
        var done = 0
        for scenario in scenarios {
            for strategy in strategies {
                if ScenarioInterrupt.isSet { throw Failure(description: "interrupted") }
                let label = "[\(done + 1)/\(total)] scenario \(scenario.rawValue) × \(strategy.rawValue)"
                if !quiet { fputs("\(label)…\n", stderr) }
                let outcome: ScenarioOutcome
                FailureContext.set("scenario \(scenario.rawValue) × \(strategy.rawValue)")
                defer { FailureContext.set("") }
                do {
                    outcome = try ScenarioRunner.run(scenario, strategy: strategy, settings: settings,
                                                     shouldStop: { ScenarioInterrupt.isSet }) { i, n in
                        // Long randomized replays: a line per 10 % on a terminal-free stderr.
                        if !quiet && n >= 1000 && i > 0 && i % (n / 10) == 0 && i < n {
                            fputs("  \(label): \(i)/\(n) iterations\n", stderr)
                        }
                    }
                } catch ScenarioError.interrupted {
                    throw Failure(description: "interrupted")
                } catch {
                    throw Failure(description: "scenario \(scenario.rawValue) × \(strategy.rawValue): \(error)")
                }
                verdicts.append(Self.verdict(outcome, settings: settings))
                done += 1
                if !quiet {
                    let v = verdicts.last!
                    let elapsed = Date().timeIntervalSince(start)
                    let eta = elapsed / Double(done) * Double(total - done)
                    fputs("  → \(v.label)\(v.matchesExpectation ? "" : " (expected \(v.expected.rawValue))"), "
                        + String(format: "%.2f s, ETA %.0f s\n", Double(outcome.elapsedNanoseconds) / 1e9, eta), stderr)
                }
            }
        }
        if ScenarioInterrupt.isSet { throw Failure(description: "interrupted") }
        return verdicts
    }

    static func verdict(_ o: ScenarioOutcome, settings: ScenarioSettings) -> SafetyVerdict {
        // Every scenario runs its two programs on two pinned workers (sharing a CPU when
        // --cpus names one).
        let threads = 2
        return SafetyVerdict(
            scenario: o.scenario.rawValue, title: o.scenario.title, strategy: o.strategy.rawValue,
            kind: SafetyVerdict.Kind(rawValue: o.verdict.kind.rawValue)!, label: o.verdict.label,
            expected: SafetyVerdict.Kind(rawValue: o.expected.rawValue)!, evidence: o.evidence,
            iterations: o.iterations, faultyIterations: o.faultyIterations, threads: threads,
            cpus: CPUList.format(Array(settings.cpus.prefix(2))), size: ScenarioSettings.objectSize)
    }

    /// SIGINT, SIGTERM or SIGHUP during a replay stops before the next iteration; a second one
    /// exits at once.
    static func installInterruptHandler() {
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { n in
                if scenarioInterrupts != 0 { exitOnSecondInterrupt(n) }
                scenarioInterrupts = n
            }
        }
    }
}

/// The signal that arrived while scenarios replay, or 0 (a signal handler may only store to a
/// plain global).
nonisolated(unsafe) var scenarioInterrupts: sig_atomic_t = 0

/// Whether ^C (or SIGTERM/SIGHUP) arrived during the replay.
enum ScenarioInterrupt {
    static var isSet: Bool { scenarioInterrupts != 0 }
    /// 128 + the signal: the shell's status for a process the signal stopped.
    static var exitCode: Int32 { 128 + scenarioInterrupts }
}
