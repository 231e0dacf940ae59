import BPFModel
import Results
import Scenarios
import Strategies
import Testing

@Suite(.tags(.memory)) struct ScenarioExpectationsTests {
    /// The table of the issues, spelled out independently of the implementation: (immediate, rcu).
    static let s: (VerdictKind, VerdictKind) = (.safe, .safe)
    static let u: (VerdictKind, VerdictKind) = (.useAfterFree, .useAfterFree)
    static let us: (VerdictKind, VerdictKind) = (.useAfterFree, .safe)
    static let table: [Scenario: [StrategyKind: (VerdictKind, VerdictKind)]] = [
        .mapInMapEscape: [.atomic: s, .percpuRef: s, .lazy: u, .kmemCache: u, .global: s, .hybrid: s],
        .concurrentWalk: [.atomic: s, .percpuRef: s, .lazy: us, .kmemCache: us, .global: s, .hybrid: us],
        .pinnedMap: [.atomic: s, .percpuRef: s, .lazy: s, .kmemCache: s, .global: s, .hybrid: s],
        // #4 and #7 recast (issue 28): held within one run, a read-side section the destroy's
        // grace period waits for, so lazy is safe under rcu.
        .inFlightAtKill: [.atomic: s, .percpuRef: s, .lazy: us, .kmemCache: us, .global: s, .hybrid: s],
        .remoteLastFree: [.atomic: s, .percpuRef: s, .lazy: s, .kmemCache: s, .global: s, .hybrid: s],
        .movedBehindWalk: [.atomic: s, .percpuRef: s, .lazy: u, .kmemCache: u, .global: s, .hybrid: us],
        .lastPutInNMI: [.atomic: s, .percpuRef: s, .lazy: us, .kmemCache: us, .global: s, .hybrid: s],
        .pausedPutAtKill: [.atomic: s, .percpuRef: s, .lazy: us, .kmemCache: us, .global: s, .hybrid: s],
    ]

    @Test(arguments: Scenario.allCases)
    func everyCellAsTheIssuesStateWithARationale(scenario: Scenario) throws {
        for strategy in StrategyKind.allCases {
            let want = try #require(Self.table[scenario]?[strategy])
            #expect(ScenarioExpectations.expected(scenario, strategy, .immediate) == want.0, "\(scenario) \(strategy) immediate")
            #expect(ScenarioExpectations.expected(scenario, strategy, .rcu) == want.1, "\(scenario) \(strategy) rcu")
            for rule in ReuseRule.allCases {
                let why = ScenarioExpectations.rationale(scenario, strategy, rule)
                #expect(!why.isEmpty && !why.contains("\n"))
            }
        }
    }
}
