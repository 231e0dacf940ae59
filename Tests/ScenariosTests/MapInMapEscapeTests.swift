import Scenarios
import Strategies
import Testing

/// Runs on the two pinned scenario workers (the helper idles).
@Suite struct MapInMapEscapePinningTests {
    @Test(arguments: StrategyKind.allCases)
    func verdictAsExpected(strategy: StrategyKind) throws {
        let outcome = try expectVerdictAsExpected(.mapInMapEscape, strategy)
        #expect(outcome.iterations == 1)
        if outcome.verdict == .useAfterFree { #expect(outcome.evidence.contains("freed into destroyed allocator")) }
    }
}
