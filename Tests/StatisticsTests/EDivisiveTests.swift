import Foundation
import Testing
@testable import Statistics

/// Reference values from scipy 1.x and apache-otava 0.8.0 (`otava.analysis.compute_change_points`,
/// defaults window 50, p 0.001); scripts/ci-history-checks compares more series live.
struct EDivisiveTests {
    @Test func tTestMatchesScipy() {
        // ttest_ind_from_stats(10, 1, 5, 12, 1.5, 7) and (100, 3, 20, 101, 2, 30)
        let p1 = StudentTTest.pValue(mean1: 10, std1: 1, count1: 5, mean2: 12, std2: 1.5, count2: 7)
        #expect(abs(p1 - 0.02732292020295862) < 1e-12)
        let p2 = StudentTTest.pValue(mean1: 100, std1: 3, count1: 20, mean2: 101, std2: 2, count2: 30)
        #expect(abs(p2 - 0.163035604615592) < 1e-12)
    }

    @Test func incompleteBetaMatchesScipy() {
        #expect(abs(StudentTTest.regularizedIncompleteBeta(a: 2.5, b: 0.5, x: 0.3) - 0.018927124071945658) < 1e-13)
        #expect(abs(StudentTTest.regularizedIncompleteBeta(a: 10, b: 0.5, x: 0.95) - 0.317151575465545) < 1e-13)
    }

    static let step: [Double] = [
        99.744, 100.511, 99.774, 99.685, 99.07, 99.787, 101.112, 100.424, 101.037, 100.249, 100.395, 100.185, 98.334,
        100.855, 100.506, 100.499, 98.309, 98.256, 99.11, 99.532, 100.305, 99.954, 100.521, 99.358, 100.309, 100.394,
        99.339, 101.718, 100.557, 101.197, 109.38, 109.26, 109.656, 109.894, 110.632, 110.248, 109.553, 109.043,
        109.479, 111.221, 109.192, 110.245, 110.427, 108.51, 110.048, 111.306, 107.986, 109.678, 109.894, 109.183,
        110.497, 109.938, 108.535, 110.828, 110.669, 110.946, 111.441, 110.362, 110.119, 108.701,
    ]

    @Test func aStepIsFoundWhereOtavaFindsIt() {
        let cps = EDivisive().changePoints(Self.step)
        #expect(cps.map(\.index) == [30])
        // otava: pvalue 8.510438105617151e-47, means 100.0342 → 109.8957
        #expect(abs(cps[0].stats.meanBefore - 100.0342) < 1e-9 && abs(cps[0].stats.meanAfter - 109.8957) < 1e-9)
        #expect(cps[0].stats.pValue < 1e-40)
        #expect(abs(cps[0].stats.forwardChange - (109.8957 / 100.0342 - 1)) < 1e-12)
    }

    /// A step up from a mean of 0 is an infinite relative change, not "+0.0 %".
    @Test func aStepFromZeroIsNotAZeroChange() throws {
        let cps = EDivisive().changePoints(Array(repeating: 0.0, count: 20) + Array(repeating: 1.0, count: 20))
        let cp = try #require(cps.first)
        #expect(cp.index == 20 && cp.stats.forwardChange == .infinity)
        #expect(EDivisive.Stats(meanBefore: 0, meanAfter: 0, stdBefore: 0, stdAfter: 0, pValue: 1).forwardChange == 0)
    }

    @Test func noiseAloneHasNoChangePoint() {
        var rng = SeededGenerator(seed: 5)
        let series = (0..<80).map { _ in 100 + rng.nextGaussian() }
        #expect(EDivisive().changePoints(series).isEmpty)
    }

    @Test func twoStepsInALongSeriesAreBothFound() {
        var rng = SeededGenerator(seed: 6)
        let series = (0..<120).map { i in (i < 40 ? 100.0 : i < 90 ? 90 : 100) + 0.5 * rng.nextGaussian() }
        #expect(EDivisive().changePoints(series).map(\.index) == [40, 90])
    }

    @Test func qhatOfATwoPointSplitIsTheDistance() {
        // X = [0], Y = [1]: q = 2/(1+1)·1 = 1.
        #expect(PairDistanceSums([0, 1]).bestSplit(0..<2) == (index: 1, qhat: 1))
    }
}
