import BPFModel
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct InFlightAtKillTests {
    static let seeds: [UInt64] = [1, 0xdead_beef, ScenarioSettings.defaultSeed]

    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpectedOnEverySeed(strategy: StrategyKind, rule: ReuseRule) throws {
        for seed in Self.seeds {
            let outcome = try expectVerdictAsExpected(.inFlightAtKill, strategy, rule, settings: ScenarioSettings(iterations: 30, seed: seed))
            if outcome.verdict == .useAfterFree {
                // The last drop of the run always lands at the kill's end.
                #expect(outcome.faultyIterations == outcome.iterations)
                #expect(outcome.evidence.contains("freed into destroyed allocator"))
            }
        }
    }

    /// The recast (issue 28): held within one run, lazy still faults under immediate, atomic and
    /// percpu-ref stay safe, and the evidence names the run that raced and its length.
    @Test func recastStillFaultsLazyAndNamesTheRun() throws {
        let settings = ScenarioSettings(iterations: 20)
        let lazy = try ScenarioRunner.run(.inFlightAtKill, strategy: .lazy, rule: .immediate, settings: settings)
        #expect(lazy.verdict == .useAfterFree)
        #expect(lazy.evidence.contains("dropped by run 1 of program"), "\(lazy.evidence)")
        #expect(lazy.evidence.contains("(drain) on CPU 1"), "\(lazy.evidence)")
        #expect(lazy.evidence.contains("window = that run's length"), "\(lazy.evidence)")
        for strategy in [StrategyKind.atomic, .percpuRef] {
            let outcome = try ScenarioRunner.run(.inFlightAtKill, strategy: strategy, rule: .immediate, settings: settings)
            #expect(outcome.verdict == .safe, "\(strategy): \(outcome.evidence)")
        }
    }
}
