import BPFModel
import Scenarios
import Strategies
import Testing

/// Runs on the two pinned scenario workers (the helper idles).
@Suite(.tags(.concurrent, .memory)) struct MapInMapEscapeTests {
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpected(strategy: StrategyKind, rule: ReuseRule) throws {
        let outcome = try expectVerdictAsExpected(.mapInMapEscape, strategy, rule)
        #expect(outcome.iterations == 1)
        if outcome.verdict == .useAfterFree { #expect(outcome.evidence.contains("freed into destroyed allocator")) }
    }
}
