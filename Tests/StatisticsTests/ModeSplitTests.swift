import Testing
@testable import Statistics

/// Two modes among repetitions: found where a gap stands out from both sides' spread, not for
/// one outlier or a spread-out series.
struct ModeSplitTests {
    @Test func aGapBetweenTwoTightGroupsIsTwoModes() throws {
        // global at 2 thr in a full run: three repetitions near 2.6 ns, two at 3.32.
        let split = try #require(ModeSplit([2.70, 2.60, 3.32, 2.50, 3.32]))
        #expect(split.lowCount == 3 && split.highCount == 2)
        #expect(abs(split.low - 2.60) < 1e-9 && abs(split.high - 3.32) < 1e-9)
    }

    @Test func oneOutlierOrASpreadIsNoMode() {
        #expect(ModeSplit([2.79, 2.54, 2.51, 2.62, 3.47]) == nil) // lazy: one repetition off
        #expect(ModeSplit([37.0, 67.8, 85.4, 78.8, 80.4]) == nil) // atomic 2 thr: spread, no gap
        #expect(ModeSplit([3.50, 3.51, 3.49, 3.50, 3.61]) == nil) // a tight series
        #expect(ModeSplit([2.5, 3.3, 2.5]) == nil) // too few to tell
    }
}
