import BPFModel
import Platform
import Results
import Strategies

/// Replays a scenario against a strategy and judges it.
///
/// Everything runs on two pinned threads (`ScenarioSettings.cpus`), QSBR readers both; each
/// iteration builds a fresh checked `BPFWorld`, replays the script, closes every fd, tears
/// the world down and audits it (`WorldAudit`). Randomized scenarios run
/// `settings.iterations` times with plans drawn from `settings.seed` (the same plans for every
/// strategy); deterministic ones run once. The verdict is the worst one observed.
public enum ScenarioRunner {
    /// Runs `scenario` under `strategy` and reuse rule `rule`.
    /// - Parameter progress: called on the coordinator thread after each iteration with
    ///   (iterations done, total), while `run` blocks.
    /// - Parameter shouldStop: asked before each iteration; true throws `ScenarioError.interrupted`
    ///   (a ^C must not wait for millions of iterations).
    public static func run(_ scenario: Scenario, strategy: StrategyKind, rule: ReuseRule = .immediate,
                           settings: ScenarioSettings = .defaults,
                           shouldStop: (() -> Bool)? = nil,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> ScenarioOutcome {
        try replay(scenario, strategy: strategy, replay: Replay(rule: rule, plant: nil),
                   expected: ScenarioExpectations.expected(scenario, strategy, rule), settings: settings,
                   shouldStop: shouldStop, progress: progress)
    }

    /// Runs a negative control under `rule`: its scenario and strategy with its bug planted. The
    /// outcome's `expected` is the control's fault. `armed: false` leaves the bug out (to check
    /// that a control coming out safe is caught).
    public static func run(_ control: ScenarioControl, rule: ReuseRule, settings: ScenarioSettings = .defaults,
                           armed: Bool = true, shouldStop: (() -> Bool)? = nil,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> ScenarioOutcome {
        try replay(control.scenario, strategy: control.strategy, replay: Replay(rule: rule, plant: armed ? control.plant : nil),
                   expected: control.fault, settings: settings, shouldStop: shouldStop, progress: progress)
    }

    private static func replay(_ scenario: Scenario, strategy: StrategyKind, replay: Replay, expected: VerdictKind,
                               settings: ScenarioSettings, shouldStop: (() -> Bool)?,
                               progress: ((Int, Int) -> Void)?) throws -> ScenarioOutcome {
        guard settings.iterations >= 1 else { throw ScenarioError.invalidSettings("iterations must be at least 1") }
        guard !settings.cpus.isEmpty else { throw ScenarioError.invalidSettings("no CPU given") }
        let online = Set(Topology.current().cpus.map(\.id))
        if let offline = settings.cpus.first(where: { !online.contains($0) }) {
            throw ScenarioError.invalidSettings("CPU \(offline) is not online in this process's affinity mask")
        }
        return try strategy.accept(Visitor(scenario: scenario, kind: strategy, replay: replay, expected: expected,
                                           settings: settings, shouldStop: shouldStop, progress: progress))
    }

    /// Iterations a run of `scenario` performs under `settings`.
    public static func iterations(of scenario: Scenario, settings: ScenarioSettings) -> Int {
        scenario.isRandomized ? settings.iterations : 1
    }

    private struct Visitor: StrategyVisitor {
        let scenario: Scenario
        let kind: StrategyKind
        let replay: Replay
        let expected: VerdictKind
        let settings: ScenarioSettings
        let shouldStop: (() -> Bool)?
        let progress: ((Int, Int) -> Void)?

        func visit<S: LifetimeStrategy>(_: S.Type) throws -> ScenarioOutcome {
            let start = MonotonicClock.nanoseconds()
            let total = ScenarioRunner.iterations(of: scenario, settings: settings)
            let stream = UInt64(Scenario.allCases.firstIndex(of: scenario)! + 1)
            var rng = ScenarioRandom(seed: settings.seed, stream: stream)
            var summary = Summary()
            try ScenarioCrew.run(cpus: settings.cpus) { crew in
                for iteration in 0..<total {
                    if let shouldStop, shouldStop() { throw ScenarioError.interrupted }
                    let report = try script.run(S.self, rng: &rng, crew: crew, replay: replay)
                    summary.add(report, iteration: iteration)
                    progress?(iteration + 1, total)
                }
            }
            return ScenarioOutcome(
                scenario: scenario, strategy: kind, rule: replay.rule, plant: replay.plant, verdict: summary.worst,
                evidence: summary.evidence(iterations: total, randomized: scenario.isRandomized),
                iterations: total, faultyIterations: summary.faulty, expected: expected,
                elapsedNanoseconds: MonotonicClock.nanoseconds() - start)
        }

        private var script: any ScenarioScript.Type {
            switch scenario {
            case .mapInMapEscape: return MapInMapEscape.self
            case .concurrentWalk: return ConcurrentWalk.self
            case .pinnedMap: return PinnedMap.self
            case .inFlightAtKill: return InFlightAtKill.self
            case .remoteLastFree: return RemoteLastFree.self
            case .movedBehindWalk: return MovedBehindWalk.self
            case .lastPutInNMI: return LastPutInNMI.self
            case .pausedPutAtKill: return PausedPutAtKill.self
            }
        }
    }

    /// Worst verdict, first evidence of it, and totals over the iterations.
    private struct Summary {
        var worst = Verdict.safe
        var worstEvidence = ""
        var worstIteration = 0
        var faulty = 0
        var lastSafeEvidence = ""
        var objects = 0
        var helperFrees = 0
        var racingFrees = 0
        var movesBehindWalk = 0

        mutating func add(_ report: IterationReport, iteration: Int) {
            let verdict = report.audit.verdict
            if verdict != .safe { faulty += 1 }
            if verdict.kind.severity > worst.kind.severity || (verdict.kind == .leak && Verdict.worst(worst, verdict) != worst) {
                worst = verdict
                worstEvidence = report.audit.evidence
                worstIteration = iteration
            }
            if verdict == .safe { lastSafeEvidence = report.audit.evidence }
            if verdict == .safe { objects += report.audit.objectsAllocated }
            helperFrees += report.helperFrees
            racingFrees += report.racingFrees
            movesBehindWalk += report.movesBehindWalk
        }

        func evidence(iterations: Int, randomized: Bool) -> String {
            if !randomized { return worst == .safe ? lastSafeEvidence : worstEvidence }
            if worst != .safe { return "iteration \(worstIteration + 1) of \(iterations): \(worstEvidence)" }
            var line = "\(iterations) iterations, 0 faulty: every allocator destroyed once, 0 leaked, \(objects) objects freed"
            if helperFrees > 0 {
                line += ", \(helperFrees) by the other CPU's program (\(racingFrees) while the unload/kill was running)"
            }
            if movesBehindWalk > 0 { line += ", \(movesBehindWalk) objects moved while the walk was between their slots" }
            return line
        }
    }
}
