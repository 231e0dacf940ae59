import BPFModel
import Results
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct ScenarioControlTests {
    static let cases: [(Scenario, ReuseRule)] = Scenario.allCases.flatMap { s in ReuseRule.allCases.map { (s, $0) } }

    /// Every scenario's planted bug yields its fault under both rules.
    @Test(arguments: cases)
    func controlYieldsItsPlantedFault(scenario: Scenario, rule: ReuseRule) throws {
        let control = ScenarioControl.control(for: scenario)
        let outcome = try ScenarioRunner.run(control, rule: rule, settings: ScenarioSettings(iterations: 30))
        #expect(outcome.plant == control.plant && outcome.expected == control.fault)
        #expect(outcome.verdict.kind == control.fault, "\(scenario.rawValue), \(rule.rawValue): \(outcome.verdict.label) — \(outcome.evidence)")
        #expect(outcome.matchesExpectation)
    }

    /// Disarmed, a control gives its strategy's own verdict from the expectation table: where
    /// the strategy is safe it comes out safe and no longer matches (the fault came from the
    /// plant, and a safe control is what fails `--controls`); elsewhere the strategy's own fault.
    @Test(arguments: cases)
    func disarmedControlGivesTheStrategysOwnVerdict(scenario: Scenario, rule: ReuseRule) throws {
        let control = ScenarioControl.control(for: scenario)
        let own = ScenarioExpectations.expected(scenario, control.strategy, rule)
        let outcome = try ScenarioRunner.run(control, rule: rule, settings: ScenarioSettings(iterations: 30), armed: false)
        #expect(outcome.plant == nil)
        #expect(outcome.verdict.kind == own, "\(scenario.rawValue), \(rule.rawValue): \(outcome.verdict.label) — \(outcome.evidence)")
        #expect(outcome.matchesExpectation == (own == control.fault))
    }

    /// A control shows that the checker sees its fault only where its strategy is safe without
    /// the plant. Two controls are not, under `immediate`: there the disarmed strategy already
    /// gives the same use-after-free, so they prove something under `rcu` only.
    @Test func controlsWhoseStrategyFaultsWithoutThePlant() {
        let faulting = Self.cases.filter { scenario, rule in
            ScenarioExpectations.expected(scenario, ScenarioControl.control(for: scenario).strategy, rule) != .safe
        }
        #expect(faulting.map { "\($0.0.rawValue) \($0.1.rawValue)" } == ["concurrent-walk immediate", "moved-behind-walk immediate"])
    }

    /// Every fault kind the checker reports has a control that produces it.
    @Test func everyFaultKindHasAControl() {
        let kinds = Set(ScenarioControl.all.map(\.fault))
        #expect(kinds == Set(VerdictKind.allCases.filter { $0 != .safe }))
        #expect(ScenarioControl.all.map(\.scenario) == Scenario.allCases)
        for c in ScenarioControl.all { #expect(!c.why.isEmpty && !c.why.contains("\n")) }
    }
}
