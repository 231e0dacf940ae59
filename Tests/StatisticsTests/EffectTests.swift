import Testing
@testable import Statistics

@Suite struct EffectTests {
    @Test func clearDifferenceIsSignificant() throws {
        let e = try #require(Effect.ratioOfMedians([12.1, 11.9, 12.0, 12.3, 11.8], [2.0, 2.05, 1.95, 2.02, 1.98]))
        #expect(abs(e.ratio - 6.0) < 0.01)
        #expect(e.low <= e.ratio && e.ratio <= e.high)
        #expect(e.isSignificant)
    }

    @Test func differenceInsideTheNoiseIsNotSignificant() throws {
        // Medians 1 % apart with ±2 % scatter: the interval reaches into ±3 %.
        let e = try #require(Effect.ratioOfMedians([2.02, 1.98, 2.06, 2.00, 2.04], [2.00, 1.96, 2.04, 1.98, 2.02]))
        #expect(!e.isSignificant)
    }

    @Test func seededAndDeterministic() {
        let a = Effect.ratioOfMedians([3, 4, 5, 6, 9], [2, 3, 4, 5, 5], seed: 9)
        #expect(a == Effect.ratioOfMedians([3, 4, 5, 6, 9], [2, 3, 4, 5, 5], seed: 9))
    }

    @Test func pairedResamplingKeepsRoundsTogether() throws {
        // Every round is exactly twice its baseline while rounds differ 3×: paired, no spread.
        let base = [1.0, 3.0, 2.0, 1.5, 2.5]
        let e = try #require(Effect.ratioOfMedians(base.map { $0 * 2 }, base, paired: true))
        #expect(e.low == 2 && e.high == 2)
        let unpaired = try #require(Effect.ratioOfMedians(base.map { $0 * 2 }, base, paired: false))
        #expect(unpaired.high - unpaired.low > 1)
    }

    @Test func emptyOrNonPositiveGivesNothing() {
        #expect(Effect.ratioOfMedians([], [1]) == nil)
        #expect(Effect.ratioOfMedians([1], [0]) == nil)
    }
}
