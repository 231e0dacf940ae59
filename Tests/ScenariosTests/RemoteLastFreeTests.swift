import BPFModel
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct RemoteLastFreeTests {
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpected(strategy: StrategyKind, rule: ReuseRule) throws {
        let outcome = try expectVerdictAsExpected(.remoteLastFree, strategy, rule)
        #expect(outcome.evidence.contains("all 4 freed on CPU 1"))
    }

    /// With one CPU both workers share it; the model CPUs stay distinct.
    @Test func oneRealCPU() throws {
        let cpu = ScenarioSettings.defaultCPUs()[0]
        try expectVerdictAsExpected(.remoteLastFree, .percpuRef, settings: ScenarioSettings(iterations: 1, cpus: [cpu]))
    }
}
