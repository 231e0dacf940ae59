import BPFModel
import Scenarios
import Strategies
import Testing

/// Runs on the two pinned scenario workers (the helper idles).
@Suite(.tags(.concurrent, .memory)) struct PinnedMapTests {
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpected(strategy: StrategyKind, rule: ReuseRule) throws {
        let outcome = try expectVerdictAsExpected(.pinnedMap, strategy, rule)
        #expect(outcome.evidence == "allocator destroyed once, 0 leaked, 9 objects freed")
    }
}
