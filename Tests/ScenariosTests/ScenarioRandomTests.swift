import Scenarios
import Testing

@Suite(.tags(.memory)) struct ScenarioRandomTests {
    @Test func sameSeedSameSequence() {
        var a = ScenarioRandom(seed: 42, stream: 2)
        var b = ScenarioRandom(seed: 42, stream: 2)
        let xs = (0..<16).map { _ in a.next() }
        #expect(xs == (0..<16).map { _ in b.next() })
        var c = ScenarioRandom(seed: 42, stream: 3)
        #expect(xs != (0..<16).map { _ in c.next() })
        var d = ScenarioRandom(seed: 43, stream: 2)
        #expect(xs != (0..<16).map { _ in d.next() })
    }
}
