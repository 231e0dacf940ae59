import Scenarios
import Strategies
import Testing

@Suite struct ScenarioExpectationsTests {
    /// The table of the issue, spelled out independently of the implementation.
    static let table: [Scenario: [StrategyKind: VerdictKind]] = [
        .mapInMapEscape: [.atomic: .safe, .percpuRef: .safe, .lazy: .useAfterFree, .kmemCache: .useAfterFree, .global: .safe, .hybrid: .safe],
        .concurrentWalk: [.atomic: .safe, .percpuRef: .safe, .lazy: .useAfterFree, .kmemCache: .useAfterFree, .global: .safe, .hybrid: .useAfterFree],
        .pinnedMap: [.atomic: .safe, .percpuRef: .safe, .lazy: .safe, .kmemCache: .safe, .global: .safe, .hybrid: .safe],
        .inFlightAtKill: [.atomic: .safe, .percpuRef: .safe, .lazy: .useAfterFree, .kmemCache: .useAfterFree, .global: .safe, .hybrid: .safe],
        .remoteLastFree: [.atomic: .safe, .percpuRef: .safe, .lazy: .safe, .kmemCache: .safe, .global: .safe, .hybrid: .safe],
    ]

    @Test(arguments: Scenario.allCases)
    func everyCellAsTheIssueStatesWithARationale(scenario: Scenario) {
        for strategy in StrategyKind.allCases {
            #expect(ScenarioExpectations.expected(scenario, strategy) == Self.table[scenario]?[strategy], "\(scenario) \(strategy)")
            let why = ScenarioExpectations.rationale(scenario, strategy)
            #expect(!why.isEmpty && !why.contains("\n"))
        }
    }
}
