import Scenarios
import Strategies
import Testing

/// Runs on the two pinned scenario workers (the helper idles).
@Suite struct PinnedMapPinningTests {
    @Test(arguments: StrategyKind.allCases)
    func verdictAsExpected(strategy: StrategyKind) throws {
        let outcome = try expectVerdictAsExpected(.pinnedMap, strategy)
        #expect(outcome.evidence == "allocator destroyed once, 0 leaked, 9 objects freed")
    }
}
