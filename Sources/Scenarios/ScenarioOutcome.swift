import BPFModel
import Results
import Strategies

/// The result of one scenario replayed against one strategy.
public struct ScenarioOutcome: Sendable, Equatable {
    public var scenario: Scenario
    public var strategy: StrategyKind
    /// The reuse rule of the replay's worlds.
    public var rule: ReuseRule
    /// The bug planted, for a negative control (nil for a scenario's own replay).
    public var plant: Plant?
    /// The worst verdict over all iterations.
    public var verdict: Verdict
    /// One line: the first offending event (with its iteration for randomized scenarios), or
    /// for `safe` a summary of what was checked.
    public var evidence: String
    /// Iterations run (1 for deterministic scenarios).
    public var iterations: Int
    /// Iterations whose own verdict was not `safe`.
    public var faultyIterations: Int
    /// What the expectation table says (`ScenarioExpectations`), or a control's planted fault.
    public var expected: VerdictKind
    public var matchesExpectation: Bool
    /// Wall time of the whole run, thread start-up included.
    public var elapsedNanoseconds: Int

    public init(scenario: Scenario, strategy: StrategyKind, rule: ReuseRule, plant: Plant? = nil, verdict: Verdict,
                evidence: String, iterations: Int, faultyIterations: Int, expected: VerdictKind, elapsedNanoseconds: Int) {
        self.scenario = scenario
        self.strategy = strategy
        self.rule = rule
        self.plant = plant
        self.verdict = verdict
        self.evidence = evidence
        self.iterations = iterations
        self.faultyIterations = faultyIterations
        self.expected = expected
        self.matchesExpectation = verdict.kind == expected
        self.elapsedNanoseconds = elapsedNanoseconds
    }
}
