import Foundation
import Results
import Testing
@testable import Regression
@testable import Statistics

/// Does `bench ab`'s verdict hold on simulated data? A/A must give almost no verdicts, and a real
/// 10 % slowdown must be found (3 repetitions per invocation, ±5 %; K = 10 by default).
struct HierarchicalBootstrapTests {
    static let r = 3, cases = 300

    /// Verdicts `AbComparison` calls on `cases` simulated cases with new = base × `slowdown`.
    static func verdicts(noise: AbNoise, slowdown: Double, seed: UInt64, k: Int = 10,
                         cases: Int = cases) throws -> [ComparisonVerdict] {
        var rng = SeededGenerator(seed: seed)
        return try (0..<cases).map { i in
            let base = noise.side(speed: 100, invocations: k, repetitions: r, using: &rng)
            let new = noise.side(speed: 100 / slowdown, invocations: k, repetitions: r, using: &rng)
            let comparison = try AbComparison(base: AbNoise.invocations(base, side: "base"), baseLabel: "A",
                                              new: AbNoise.invocations(new, side: "new"), newLabel: "B",
                                              options: AbOptions(resamples: 500, seed: UInt64(i)))
            return comparison.cases[0].verdict
        }
    }

    @Test(arguments: [AbNoise.quiet, .shared, .loaded])
    func aaGivesAtMostOnePercentFalseVerdicts(noise: AbNoise) throws {
        let v = try Self.verdicts(noise: noise, slowdown: 1, seed: 11)
        let wrong = v.filter { $0 != .unchanged }.count
        #expect(Double(wrong) <= 0.01 * Double(Self.cases), "\(wrong) of \(Self.cases) A/A cases got a verdict")
    }

    @Test func plantedTenPercentSlowdownIsDetectedOnAQuietMachine() throws {
        let v = try Self.verdicts(noise: .quiet, slowdown: 1.10, seed: 12)
        let found = v.filter { $0 == .regressed }.count
        #expect(Double(found) >= 0.95 * Double(Self.cases), "\(found) of \(Self.cases) slowed cases flagged")
        #expect(!v.contains(.improved))
    }

    /// Episodic whole-process drops need more invocations: K = 30 (what `--budget` buys).
    @Test func plantedTenPercentSlowdownIsDetectedOnASharedVMWithMoreInvocations() throws {
        let v = try Self.verdicts(noise: .shared, slowdown: 1.10, seed: 13, k: 30, cases: 200)
        let found = v.filter { $0 == .regressed }.count
        #expect(found >= 180, "\(found) of 200 slowed cases flagged")
        #expect(!v.contains(.improved))
    }

    /// A slow stretch shared by both invocations of a pair (drift CV 10 %) swamps an unpaired
    /// comparison; pairing cancels it.
    @Test func pairingCancelsDriftSharedWithinAPair() throws {
        let noise = AbNoise(name: "drifting", invocationCV: 0.01, episodeRate: 0, repetitionCV: 0.01, dropRate: 0)
        var rng = SeededGenerator(seed: 21)
        var paired: [ComparisonVerdict] = [], unpaired: [ComparisonVerdict] = [], aa: [ComparisonVerdict] = []
        for i in 0..<200 {
            let (b, n) = noise.pairedSides(speed: 100, slowdown: 1.10, driftCV: 0.10, pairs: 10, repetitions: 3, using: &rng)
            for (list, pair) in [(0, true), (1, false)] {
                let c = try AbComparison(base: AbNoise.invocations(b, side: "b", paired: pair), baseLabel: "A",
                                         new: AbNoise.invocations(n, side: "n", paired: pair), newLabel: "B",
                                         options: AbOptions(resamples: 500, seed: UInt64(i)))
                if list == 0 { paired.append(c.cases[0].verdict) } else { unpaired.append(c.cases[0].verdict) }
                if pair { #expect(c.cases[0].pairs == 10) }
            }
            let (b0, n0) = noise.pairedSides(speed: 100, slowdown: 1, driftCV: 0.10, pairs: 10, repetitions: 3, using: &rng)
            aa.append(try AbComparison(base: AbNoise.invocations(b0, side: "b", paired: true), baseLabel: "A",
                                       new: AbNoise.invocations(n0, side: "n", paired: true), newLabel: "B",
                                       options: AbOptions(resamples: 500, seed: UInt64(i))).cases[0].verdict)
        }
        #expect(paired.filter { $0 == .regressed }.count >= 190)
        #expect(unpaired.filter { $0 == .regressed }.count < 100)
        #expect(aa.filter { $0 != .unchanged }.count <= 2)
    }

    @Test func intervalCoversTheTrueRatio() {
        var rng = SeededGenerator(seed: 3)
        var covered = 0
        let trials = 150
        for _ in 0..<trials {
            let noise = AbNoise(name: "no episodes", episodeRate: 0, dropRate: 0)
            let base = noise.side(speed: 100, invocations: 20, repetitions: 5, using: &rng)
            let new = noise.side(speed: 110, invocations: 20, repetitions: 5, using: &rng)
            let i = HierarchicalBootstrap.ratioInterval(base: base, new: new, resamples: 500, using: &rng)!
            if i.lower <= 1.1 && 1.1 <= i.upper { covered += 1 }
        }
        // A percentile bootstrap undercovers a little with 20 invocations; 95 % nominal.
        #expect(covered >= Int(0.88 * Double(trials)), "covered \(covered) of \(trials)")
    }

    @Test func statisticIsTheMedianOfInvocationMedians() {
        #expect(HierarchicalBootstrap.statistic([[1, 2, 30], [4, 5, 6]]) == 3.5)
        #expect(HierarchicalBootstrap.statistic([[1, 2, 30], [4, 5, 6], [100, 200, 300]]) == 5)
        #expect(HierarchicalBootstrap.statistic([[1, 3]]) == 2)
    }

    @Test func identicalSidesGiveAPointInterval() {
        var rng = SeededGenerator(seed: 1)
        let side = [[5.0, 5, 5], [5, 5, 5], [5, 5, 5]]
        let i = HierarchicalBootstrap.ratioInterval(base: side, new: side, using: &rng)!
        #expect(i == HierarchicalBootstrap.Interval(estimate: 1, lower: 1, upper: 1))
    }

    @Test func noRatioForAZeroStatistic() {
        var rng = SeededGenerator(seed: 1)
        #expect(HierarchicalBootstrap.ratioInterval(base: [[0, 0], [0, 0]], new: [[1, 1], [1, 1]], using: &rng) == nil)
    }

    @Test func quantileInterpolatesLikeNumpy() {
        #expect(HierarchicalBootstrap.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(HierarchicalBootstrap.quantile([1, 2, 3, 4], 0.025) == 1.075)
    }
}
