import BPFModel
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct ConcurrentWalkTests {
    static let seeds: [UInt64] = [1, 0xdead_beef, ScenarioSettings.defaultSeed]

    /// Same verdict on every seed under each reuse rule; the safe strategies really ran the
    /// racing frees.
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpectedOnEverySeed(strategy: StrategyKind, rule: ReuseRule) throws {
        for seed in Self.seeds {
            let outcome = try expectVerdictAsExpected(.concurrentWalk, strategy, rule, settings: ScenarioSettings(iterations: 40, seed: seed))
            if outcome.verdict == .useAfterFree {
                #expect(outcome.evidence.contains("read the header of freed object"), "\(outcome.evidence)")
            } else {
                #expect(outcome.evidence.contains("by the other CPU's program"), "\(outcome.evidence)")
            }
        }
    }
}
