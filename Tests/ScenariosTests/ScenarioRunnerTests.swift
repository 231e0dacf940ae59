import Results
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct ScenarioRunnerTests {
    @Test func deterministicScenariosRunOnce() {
        let settings = ScenarioSettings(iterations: 7)
        for scenario in Scenario.allCases {
            #expect(ScenarioRunner.iterations(of: scenario, settings: settings) == (scenario.isRandomized ? 7 : 1))
        }
    }

    @Test func progressCountsEveryIteration() throws {
        var calls: [Int] = []
        let outcome = try ScenarioRunner.run(.concurrentWalk, strategy: .atomic, settings: ScenarioSettings(iterations: 5)) { done, total in
            #expect(total == 5)
            calls.append(done)
        }
        #expect(calls == [1, 2, 3, 4, 5])
        #expect(outcome.iterations == 5)
        #expect(outcome.elapsedNanoseconds > 0)
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: ScenarioError.self) {
            try ScenarioRunner.run(.pinnedMap, strategy: .atomic, settings: ScenarioSettings(iterations: 0))
        }
        #expect(throws: ScenarioError.self) {
            try ScenarioRunner.run(.pinnedMap, strategy: .atomic, settings: ScenarioSettings(cpus: []))
        }
        #expect(throws: ScenarioError.self) {
            try ScenarioRunner.run(.pinnedMap, strategy: .atomic, settings: ScenarioSettings(cpus: [1 << 20]))
        }
    }

    @Test func defaults() {
        let d = ScenarioSettings.defaults
        #expect(d.iterations == ScenarioSettings.defaultIterations)
        #expect(!d.cpus.isEmpty && d.cpus.count <= 2)
    }
}

@Suite(.tags(.memory)) struct ScenarioRunnerStopTests {
    /// ^C during a long replay: the runner asks before every iteration and stops at once.
    @Test func aStopConditionEndsTheReplayBetweenIterations() {
        var done = 0
        #expect(throws: ScenarioError.interrupted) {
            try ScenarioRunner.run(.concurrentWalk, strategy: .atomic, settings: ScenarioSettings(iterations: 100_000_000),
                                   shouldStop: { done >= 3 }, progress: { d, _ in done = d })
        }
        #expect(done == 3)
    }
}
