import Testing
@testable import Statistics

/// Reference values from scipy 1.17.1:
/// `scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method=M)`; `statistic` is U of x.
struct MannWhitneyTests {
    struct Reference: Sendable, CustomTestStringConvertible {
        var name: String
        var x: [Double]
        var y: [Double]
        var u1: Double
        var p: Double
        var method: MannWhitney.Method
        var testDescription: String { name }
    }

    static let references: [Reference] = [
        // Exact distribution (no ties, both n <= 20).
        Reference(name: "separated 5v5", x: [1, 2, 3, 4, 5], y: [6, 7, 8, 9, 10], u1: 0, p: 0.007936507936507936, method: .exact),
        Reference(name: "interleaved 5v5", x: [1, 3, 5, 7, 9], y: [2, 4, 6, 8, 10], u1: 10, p: 0.6904761904761905, method: .exact),
        Reference(name: "separated 3v3", x: [1, 2, 3], y: [4, 5, 6], u1: 0, p: 0.1, method: .exact),
        Reference(name: "uneven 4v7", x: [10.5, 11.2, 9.8, 12.0], y: [8.1, 9.0, 9.5, 8.7, 10.1, 7.9, 8.8],
                  u1: 27, p: 0.012121212121212121, method: .exact),
        Reference(name: "20v20", x: [100.0, 101.31, 102.62, 103.0, 104.31, 105.62, 106.0, 107.31, 108.62, 109.0,
                                     110.31, 111.62, 112.0, 113.31, 114.62, 115.0, 116.31, 117.62, 118.0, 119.31],
                  y: (0..<20).map { 104.15 + Double($0) }, u1: 131, p: 0.06343244610401354, method: .exact),
        // Normal approximation with tie and continuity corrections.
        Reference(name: "ties 5v5", x: [1, 2, 2, 3, 4], y: [2, 3, 3, 5, 6], u1: 6, p: 0.19882894401644247, method: .normalApproximation),
        Reference(name: "heavy ties 5v5", x: [1, 1, 1, 2, 2], y: [1, 2, 2, 2, 3], u1: 6.5, p: 0.2040238704744366, method: .normalApproximation),
        Reference(name: "ties 4v4", x: [10, 20, 20, 30], y: [20, 40, 50, 60], u1: 2, p: 0.10375367752098565, method: .normalApproximation),
        Reference(name: "ties 25v25", x: (0..<25).map { 2 * Double($0) }, y: (0..<25).map { 2 * Double($0) + 4 },
                  u1: 264.5, p: 0.35645308096071493, method: .normalApproximation),
        // Normal approximation because a side has more than 20 values (no ties).
        Reference(name: "no ties 25v25", x: (0..<25).map { 2 * Double($0) }, y: (0..<25).map { 2 * Double($0) + 7.5 },
                  u1: 231, p: 0.11603618751300343, method: .normalApproximation),
        Reference(name: "no ties 21v3", x: (0...20).map(Double.init), y: [3.5, 12.5, 30.5], u1: 25, p: 0.6004712601233853,
                  method: .normalApproximation),
    ]

    @Test(arguments: references)
    func matchesScipy(_ r: Reference) {
        let result = MannWhitney.test(r.x, r.y)
        #expect(result.u1 == r.u1)
        #expect(result.u1 + result.u2 == Double(r.x.count * r.y.count))
        #expect(result.method == r.method)
        #expect(abs(result.pValue - r.p) <= 1e-12 * max(1, r.p) + 1e-15, "p = \(result.pValue), scipy \(r.p)")
    }

    @Test func symmetricInItsArguments() {
        for r in Self.references {
            let forward = MannWhitney.test(r.x, r.y), backward = MannWhitney.test(r.y, r.x)
            #expect(forward.u1 == backward.u2)
            #expect(abs(forward.pValue - backward.pValue) < 1e-15)
        }
    }

    @Test func midranksShareTheMeanRankOfTies() {
        let (ranks, ties) = MannWhitney.midranks([3, 1, 3, 2, 3, 1])
        #expect(ranks == [5, 1.5, 5, 3, 5, 1.5])
        #expect(ties.sorted() == [2, 3])
    }

    @Test func allValuesEqualGivesPOne() {
        let result = MannWhitney.test([2, 2, 2], [2, 2, 2])
        #expect(result.pValue == 1)
        #expect(result.u1 == 4.5)
    }

    @Test func exactDistributionCountsEveryOrdering() {
        // C(n1 + n2, n1) orderings in all; symmetric around n1·n2/2.
        let counts = MannWhitney.exactUDistribution(n1: 4, n2: 6)
        #expect(counts.reduce(0, +) == 210)
        #expect(counts == counts.reversed())
        #expect(counts.count == 25)
        #expect(MannWhitney.exactUDistribution(n1: 20, n2: 20).reduce(0, +) == 137_846_528_820)
    }

    @Test func minimumPValueForSmallSamples() {
        #expect(MannWhitney.minimumPValue(n1: 3, n2: 3) == 0.1)  // 2 / C(6, 3): never below 0.05
        #expect(abs(MannWhitney.minimumPValue(n1: 3, n2: 4) - 0.05714285714285714) < 1e-15)
        #expect(abs(MannWhitney.minimumPValue(n1: 4, n2: 4) - 0.02857142857142857) < 1e-15)
        #expect(abs(MannWhitney.minimumPValue(n1: 10, n2: 10) - 1.082508822446903e-05) < 1e-18)
        // Normal approximation beyond the exact limit (scipy: 25 vs 25 completely separated).
        #expect(abs(MannWhitney.minimumPValue(n1: 25, n2: 25) - 1.4156562248495537e-09) < 1e-20)
        #expect(MannWhitney.minimumPValue(n1: 1, n2: 1) == 1)
        #expect(MannWhitney.repetitionsNeeded(alpha: 0.05) == 4)
        #expect(MannWhitney.repetitionsNeeded(alpha: 0.01) == 5)
    }
}
