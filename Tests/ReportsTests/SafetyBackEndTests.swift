import Results
import Testing
@testable import Reports

/// kmem-cache shares lazy's row only while no scenario tells them apart (issue 28).
struct SafetyBackEndTests {
    func v(_ scenario: String, _ strategy: String, _ kind: SafetyVerdict.Kind) -> SafetyVerdict {
        SafetySectionsTests.verdict(scenario, strategy, kind)
    }

    @Test func aBackEndWithItsLifetimesVerdictsSharesItsRow() throws {
        let s = SafetySections(verdicts: [v("a", "atomic", .safe), v("a", "lazy", .useAfterFree), v("a", "kmem-cache", .useAfterFree),
                                          v("b", "lazy", .safe), v("b", "kmem-cache", .safe)])
        let matrix = try #require(s.tables.first)
        #expect(matrix.rows.map(\.[0]) == ["atomic", "lazy = kmem-cache"])
        #expect(s.findings.first?.hasPrefix("kmem-cache is lazy's back end") == true)
        #expect(!s.findings.contains { $0.hasPrefix("kmem-cache, #") })  // no evidence line of its own
        #expect(s.findings.last == "All 5 safety verdicts match the expectation table.")
    }

    @Test func aBackEndThatDiffersKeepsItsRow() throws {
        let s = SafetySections(verdicts: [v("a", "lazy", .useAfterFree), v("a", "kmem-cache", .safe)])
        let matrix = try #require(s.tables.first)
        #expect(matrix.rows.map(\.[0]) == ["lazy", "kmem-cache"])
        #expect(!s.findings.contains { $0.contains("back end") })
    }
}
