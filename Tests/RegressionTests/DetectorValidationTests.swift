import Foundation
import Results
import Testing
@testable import Regression
@testable import Statistics

/// Does `bench compare` call the right verdicts on data shaped like benchmark repetitions?
/// Synthetic samples with a seeded generator: median 100, within-run CV 2 % (what `--repetitions`
/// on a quiet machine gives), n = 10 per side, default alpha 0.05 and threshold 5 %.
struct DetectorValidationTests {
    static let trials = 2000
    static let n = 10

    /// How the repetitions of one run scatter.
    struct NoiseModel: Sendable, CustomTestStringConvertible {
        var name: String
        /// Within-run coefficient of variation.
        var cv: Double
        /// Run-to-run shift of the whole sample (frequency, placement), as a CV.
        var runShiftCV: Double
        /// Share of repetitions hit by a slow outlier (interrupt, migration), and how much slower.
        var outlierRate: Double
        var outlierFactor: Double
        var testDescription: String { name }

        /// `n` values of a run whose true median is `median`; `slower` > 1 makes the run slower.
        func run(median: Double, slower: Double, metric: Metric, using rng: inout SeededGenerator) -> [Double] {
            let shift = 1 + runShiftCV * rng.nextGaussian()
            return (0..<DetectorValidationTests.n).map { _ in
                var time = slower * shift * (1 + cv * rng.nextGaussian())
                if Double.random(in: 0..<1, using: &rng) < outlierRate { time *= outlierFactor }
                // A slower run has higher ns_per_op and lower mops.
                return metric == .mops ? median / time : median * time
            }
        }
    }

    static let iid = NoiseModel(name: "iid, CV 2%", cv: 0.02, runShiftCV: 0, outlierRate: 0, outlierFactor: 1)
    static let realistic = NoiseModel(name: "CV 2%, run shift 1.5%, 5% outliers x1.3", cv: 0.02, runShiftCV: 0.015,
                                      outlierRate: 0.05, outlierFactor: 1.3)

    /// Share of trials whose verdict is `regressed`, and share with p < alpha.
    static func rates(model: NoiseModel, slowdown: Double, metric: Metric, seed: UInt64) -> (regressed: Double, significant: Double) {
        var rng = SeededGenerator(seed: seed)
        let key = ResultRow.CaseKey(strategy: "s", workload: "w", phase: .live, op: .pair, threads: 1, size: 64, metric: metric)
        let options = ComparisonOptions()
        var regressed = 0, significant = 0
        for _ in 0..<trials {
            let base = model.run(median: 100, slower: 1, metric: metric, using: &rng)
            let new = model.run(median: 100, slower: slowdown, metric: metric, using: &rng)
            let c = Comparison.compareCase(key: key, unit: "", base: SampleSummary(values: base, missingReasons: []),
                                           new: SampleSummary(values: new, missingReasons: []), options: options)
            if c.verdict == .regressed { regressed += 1 }
            if c.test!.pValue < options.alpha { significant += 1 }
        }
        return (Double(regressed) / Double(trials), Double(significant) / Double(trials))
    }

    @Test func testAloneHasItsNominalFalsePositiveRate() {
        // Same distribution on both sides: p < 0.05 in about 5 % of trials, if the p-values are right.
        let (_, significant) = Self.rates(model: Self.iid, slowdown: 1, metric: .nsPerOp, seed: 1)
        print("A/A (iid, CV 2%, n=10): p < 0.05 in \(significant * 100)% of \(Self.trials) trials")
        #expect(significant > 0.03 && significant < 0.07)
    }

    @Test(arguments: [iid, realistic], [Metric.nsPerOp, .mops])
    func sameBuildIsRarelyCalledARegression(model: NoiseModel, metric: Metric) {
        let (regressed, significant) = Self.rates(model: model, slowdown: 1, metric: metric, seed: 2)
        print("A/A (\(model.name), \(metric), n=10): regressed in \(regressed * 100)%, p < 0.05 in \(significant * 100)%")
        #expect(regressed < 0.05)
    }

    @Test(arguments: [iid, realistic], [1.10, 1.20])
    func plantedSlowdownIsDetected(model: NoiseModel, slowdown: Double) {
        for metric in [Metric.nsPerOp, .mops] {
            let (regressed, _) = Self.rates(model: model, slowdown: slowdown, metric: metric, seed: 3)
            print("slowdown x\(slowdown) (\(model.name), \(metric), n=10): detected in \(regressed * 100)%")
            // Without outliers nearly every trial; with them, the rare base run with three or more
            // x1.3 outliers out of 10 hides even a x1.2 slowdown from a rank test, as it should.
            #expect(regressed > (model.outlierRate == 0 ? 0.99 : 0.9))
        }
    }

    @Test func speedupIsNeverCalledARegression() {
        let (regressed, _) = Self.rates(model: Self.realistic, slowdown: 1 / 1.2, metric: .nsPerOp, seed: 4)
        #expect(regressed == 0)
    }
}
