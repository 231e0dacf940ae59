import BPFModel
import Results
import Scenarios
import Strategies
import Testing

/// Runs `scenario` under `strategy` and `rule` and checks the verdict against the expectation table.
@discardableResult
func expectVerdictAsExpected(_ scenario: Scenario, _ strategy: StrategyKind, _ rule: ReuseRule = .immediate,
                             settings: ScenarioSettings = ScenarioSettings(iterations: 40)) throws -> ScenarioOutcome {
    let outcome = try ScenarioRunner.run(scenario, strategy: strategy, rule: rule, settings: settings)
    let context = "\(scenario.rawValue) × \(strategy.rawValue), \(rule.rawValue): \(outcome.verdict.label) — \(outcome.evidence)"
    #expect(outcome.verdict.kind == ScenarioExpectations.expected(scenario, strategy, rule), "\(context)")
    #expect(outcome.matchesExpectation, "\(context)")
    #expect(outcome.scenario == scenario && outcome.strategy == strategy && outcome.rule == rule && outcome.plant == nil)
    #expect(!outcome.evidence.isEmpty && !outcome.evidence.contains("\n"))
    #expect(outcome.iterations == ScenarioRunner.iterations(of: scenario, settings: settings))
    if outcome.verdict == .safe {
        #expect(outcome.faultyIterations == 0)
    } else {
        #expect(outcome.faultyIterations >= 1)
    }
    return outcome
}

/// Every (strategy, rule) pair, for parameterized tests.
let everyStrategyAndRule: [(StrategyKind, ReuseRule)] = StrategyKind.allCases.flatMap { s in ReuseRule.allCases.map { (s, $0) } }
