import BPFModel
import Scenarios
import Strategies
import Testing

@Suite struct InFlightAtKillConcurrentTests {
    static let seeds: [UInt64] = [1, 0xdead_beef, ScenarioSettings.defaultSeed]

    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpectedOnEverySeed(strategy: StrategyKind, rule: ReuseRule) throws {
        for seed in Self.seeds {
            let outcome = try expectVerdictAsExpected(.inFlightAtKill, strategy, rule, settings: ScenarioSettings(iterations: 30, seed: seed))
            if outcome.verdict == .useAfterFree {
                // At least one free lands after the kill in every iteration.
                #expect(outcome.faultyIterations == outcome.iterations)
                #expect(outcome.evidence.contains("freed into destroyed allocator"))
            }
        }
    }
}
