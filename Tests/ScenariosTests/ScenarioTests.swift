import Results
import Scenarios
import Testing

@Suite(.tags(.memory)) struct ScenarioTests {
    @Test func rawValuesAreTheCommandLineNames() {
        #expect(Scenario.allCases.map(\.rawValue) == [
            "map-in-map-escape", "concurrent-walk", "pinned-map", "in-flight-at-kill", "remote-last-free",
            "moved-behind-walk", "last-put-in-nmi", "paused-put-at-kill",
        ])
    }

    @Test(arguments: Scenario.allCases)
    func describedOnOneLine(scenario: Scenario) {
        #expect(!scenario.title.isEmpty)
        #expect(!scenario.summary.isEmpty)
        #expect(!scenario.summary.contains("\n"))
    }

    @Test(.tags(.concurrent)) func randomizedScenariosAreConcurrent() {
        for scenario in Scenario.allCases where scenario.isRandomized { #expect(scenario.isConcurrent) }
        #expect(Scenario.allCases.filter(\.isRandomized) == [.concurrentWalk, .inFlightAtKill, .movedBehindWalk])
    }
}
