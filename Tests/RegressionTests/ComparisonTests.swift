import Foundation
import Results
import Testing
@testable import Regression

struct ComparisonTests {
    static let baseMops: [Double] = [10.0, 10.1, 9.9, 10.05, 9.95, 10.02, 9.98, 10.03, 9.97, 10.01]

    func compare(_ base: [LocatedRow], _ new: [LocatedRow], options: ComparisonOptions = ComparisonOptions()) throws -> Comparison {
        try Comparison(base: base, baseFile: "base.csv", new: new, newFile: "new.csv", options: options)
    }

    @Test func throughputDropIsARegressionAndRiseAnImprovement() throws {
        let slower = try compare(located(Self.baseMops), located(Self.baseMops.map { $0 / 1.2 }))
        #expect(slower.cases.map(\.verdict) == [.regressed])
        #expect(slower.hasRegression)
        let faster = try compare(located(Self.baseMops), located(Self.baseMops.map { $0 * 1.2 }))
        #expect(faster.cases.map(\.verdict) == [.improved])
        #expect(!faster.hasRegression)
    }

    /// The host's calibration rows describe the machine, not the code: shown, never judged.
    @Test func calibrationRowsAreNeverJudged() throws {
        func host(_ values: [Double]) -> [LocatedRow] {
            values.enumerated().map { i, v in
                LocatedRow(line: 2 + i, row: makeRow(strategy: "host", workload: "line", phase: .calibration, op: .rmw,
                                                     repetition: i, metric: .nsPerOp, value: v))
            }
        }
        let c = try compare(host(Self.baseMops), host(Self.baseMops.map { $0 * 1.3 }))
        #expect(c.cases.map(\.verdict) == [.unchanged])
    }

    /// `max_ns` is one extreme sample per repetition: a doubled maximum is shown, not called,
    /// while the 99th percentile beside it still regresses.
    @Test func aMaximumIsShownNotJudged() throws {
        let max = try compare(located(Self.baseMops, metric: .maxNs), located(Self.baseMops.map { $0 * 2 }, metric: .maxNs))
        #expect(max.cases.map(\.verdict) == [.unchanged])
        let p99 = try compare(located(Self.baseMops, metric: .p99Ns), located(Self.baseMops.map { $0 * 2 }, metric: .p99Ns))
        #expect(p99.cases.map(\.verdict) == [.regressed])
    }

    @Test func latencyRiseIsARegressionAndDropAnImprovement() throws {
        let base = located(Self.baseMops, metric: .nsPerOp)
        #expect(try compare(base, located(Self.baseMops.map { $0 * 1.2 }, metric: .nsPerOp)).cases[0].verdict == .regressed)
        #expect(try compare(base, located(Self.baseMops.map { $0 / 1.2 }, metric: .nsPerOp)).cases[0].verdict == .improved)
    }

    @Test func metricsWithoutDirectionAreNeverRegressions() throws {
        for metric in [Metric.outstanding] {
            let c = try compare(located(Self.baseMops, metric: metric), located(Self.baseMops.map { $0 * 2 }, metric: metric))
            #expect(c.cases[0].verdict == .changed)
            #expect(!c.hasRegression)
            #expect(c.geomeans.isEmpty)
        }
    }

    /// Verdicts (0 safe, 1 leak, 2 use-after-free) are single observations whose unit carries
    /// run-specific evidence: any worse verdict regresses, a better one improves, evidence may differ.
    @Test func worseSafetyVerdictIsARegressionWhateverItsEvidence() throws {
        func verdict(_ code: Double, _ evidence: String) -> [LocatedRow] {
            [LocatedRow(line: 2, row: makeRow(strategy: "lazy", workload: "concurrent-walk", phase: .scenario, op: .reuseRule("scenario"),
                                              metric: .verdict, value: code, unit: evidence))]
        }
        let worse = try compare(verdict(0, "safe; 0/100 faulty"), verdict(2, "use-after-free; 3/100 faulty; 0x7f00"))
        #expect(worse.cases.map(\.verdict) == [.regressed])
        #expect(worse.hasRegression && worse.warnings.isEmpty)
        #expect(try compare(verdict(1, "leak"), verdict(0, "safe")).cases.map(\.verdict) == [.improved])
        #expect(try compare(verdict(2, "use-after-free at 0x1"), verdict(2, "use-after-free at 0x2")).cases.map(\.verdict) == [.unchanged])
    }

    @Test func significantButBelowThresholdIsUnchanged() throws {
        // Every value 2 % lower: p is tiny, but 2 % < 5 %.
        let c = try compare(located(Self.baseMops), located(Self.baseMops.map { $0 * 0.98 }))
        #expect(c.cases[0].test!.pValue < 0.001)
        #expect(abs(c.cases[0].deltaPercent! + 2) < 1e-9)
        #expect(c.cases[0].verdict == .unchanged)
        // With a 1 % threshold the same data is a regression.
        let strict = try compare(located(Self.baseMops), located(Self.baseMops.map { $0 * 0.98 }),
                                 options: ComparisonOptions(alpha: 0.05, thresholdPercent: 1))
        #expect(strict.cases[0].verdict == .regressed)
    }

    @Test func largeButNotSignificantIsUnchanged() throws {
        // Medians differ by 20 % but the samples overlap completely.
        let base: [Double] = [5, 15, 6, 14, 10, 12, 8]
        let new: [Double] = [5, 15, 6, 14, 12, 13, 7]
        let c = try compare(located(base), located(new))
        #expect(c.cases[0].deltaPercent! >= 5)
        #expect(c.cases[0].test!.pValue > 0.5)
        #expect(c.cases[0].verdict == .unchanged)
    }

    @Test func tooFewSamplesIsWarnedAndNeverARegression() throws {
        let c = try compare(located([10, 10.1, 9.9]), located([5, 5.1, 4.9]))
        #expect(c.cases[0].tooFewSamples)
        #expect(c.cases[0].verdict == .unchanged)
        #expect(c.warnings.contains { $0.contains("3 vs 3 samples") && $0.contains("at least 4 repetitions") })
        // Four each can reach it.
        let four = try compare(located([10, 10.1, 9.9, 10.2]), located([5, 5.1, 4.9, 5.2]))
        #expect(!four.cases[0].tooFewSamples)
        #expect(four.cases[0].verdict == .regressed)
    }

    @Test func casesOnOneSideOnlyAreListed() throws {
        let base = located(Self.baseMops) + located(Self.baseMops, strategy: "lazy", firstLine: 20)
        let new = located(Self.baseMops) + located(Self.baseMops, strategy: "global", firstLine: 20)
        let c = try compare(base, new)
        #expect(c.cases.map(\.key.strategy) == ["atomic"])
        #expect(c.onlyInBase.map(\.strategy) == ["lazy"])
        #expect(c.onlyInNew.map(\.strategy) == ["global"])
        let text = c.rendered(as: .txt)
        #expect(text.contains("Only in base (base.csv): 1 case(s)\n  lazy/pair/live/pair/t1/64B/mops"))
        #expect(text.contains("Only in new (new.csv): 1 case(s)\n  global/pair/live/pair/t1/64B/mops"))
        #expect(c.rendered(as: .csv).contains("only-new,global,pair,live,pair,1,64,mops,"))
    }

    @Test func missingValuesAreReportedNotCompared() throws {
        let new = (0..<10).map { LocatedRow(line: $0 + 2, row: makeRow(repetition: $0, value: nil, unit: "n/a: refused after kill")) }
        let c = try compare(located(Self.baseMops), new)
        #expect(c.cases[0].verdict == .missing)
        #expect(!c.hasRegression)
        #expect(c.warnings.contains("case atomic/pair/live/pair/t1/64B/mops: no values on new (n/a: refused after kill)"))
        #expect(c.rendered(as: .txt).contains("n/a on new"))
    }

    @Test func geomeanIsPerMetricOverPositiveMedians() throws {
        // One case 2× faster, one 2× slower: geomean ratio 1. A zero latency median is left out.
        let base = located(Self.baseMops, strategy: "a") + located(Self.baseMops, strategy: "b", firstLine: 20)
            + located([0, 0, 0, 0], metric: .p50Ns, firstLine: 40)
        let new = located(Self.baseMops.map { $0 * 2 }, strategy: "a") + located(Self.baseMops.map { $0 / 2 }, strategy: "b", firstLine: 20)
            + located([3, 3, 3, 3], metric: .p50Ns, firstLine: 40)
        let c = try compare(base, new)
        #expect(c.geomeans.count == 1)
        #expect(c.geomeans[0].metric == .mops)
        #expect(c.geomeans[0].caseCount == 2)
        #expect(abs(c.geomeans[0].ratio - 1) < 1e-12)
        #expect(c.cases.last!.deltaPercent == .infinity)
        #expect(c.rendered(as: .txt).contains("+inf%"))
    }

    @Test func concatenatedRunsPoolTheirRepetitions() throws {
        let base = located(Self.baseMops, runID: "r1") + located(Self.baseMops, runID: "r2", firstLine: 20)
        let c = try compare(base, located(Self.baseMops))
        #expect(c.cases[0].base.values.count == 20)
    }

    @Test func incompatibleInputNamesFileAndLine() throws {
        #expect(throws: ResultsCSVError(file: "base.csv", line: 12,
                                        reason: "case atomic/pair/live/pair/t1/64B/mops repetition 0 of run 'run-1' is already on line 2")) {
            try compare(located(Self.baseMops) + located([1], firstLine: 12), located(Self.baseMops))
        }
        var renamed = located([1, 2], firstLine: 7)
        renamed[1].row.unit = "ops/s"
        renamed[1].row.repetition = 5
        #expect(throws: ResultsCSVError(file: "new.csv", line: 8,
                                        reason: "case atomic/pair/live/pair/t1/64B/mops: unit 'ops/s' differs from 'Mops/s' on line 7")) {
            try compare(located(Self.baseMops), renamed)
        }
        var otherUnit = located(Self.baseMops, firstLine: 30)
        for i in otherUnit.indices { otherUnit[i].row.unit = "ops/s" }
        #expect(throws: ResultsCSVError(file: "new.csv", line: 30,
                                        reason: "case atomic/pair/live/pair/t1/64B/mops: unit 'ops/s' differs from 'Mops/s' in base.csv line 2")) {
            try compare(located(Self.baseMops), otherUnit)
        }
        #expect(throws: ResultsCSVError(file: "new.csv", line: nil, reason: "no case in common with base.csv")) {
            try compare(located(Self.baseMops), located(Self.baseMops, strategy: "lazy"))
        }
        #expect(throws: ResultsCSVError(file: "base.csv", line: nil, reason: "no result rows after the header")) {
            try compare([], located(Self.baseMops))
        }
    }

    @Test func differentMachinesAreWarnedAbout() throws {
        var new = located(Self.baseMops)
        for i in new.indices { new[i].row.host = "host-b" }
        let c = try compare(located(Self.baseMops), new)
        #expect(c.warnings == ["host differs: base host-a; new host-b"])
    }

    @Test func rendersEveryFormat() throws {
        let c = try compare(located(Self.baseMops), located(Self.baseMops.map { $0 / 1.2 }))
        let txt = c.rendered(as: .txt)
        #expect(txt.contains("atomic/pair/live/pair/t1/64B  mops    10.00  8.338  -16.7%  1.08e-05    10/10  regressed"))
        #expect(txt.contains("10/10  regressed"))
        #expect(txt.contains("geomean"))
        #expect(txt.contains("1 regressed (p < 0.05 and |delta| >= 5.000% of the base median)"))
        let md = c.rendered(as: .md)
        #expect(md.contains("| case | metric | base | new | delta | p | n | verdict |\n|:--|"))
        #expect(md.contains("| atomic/pair/live/pair/t1/64B | mops | 10.00 | 8.338 | -16.7% | 1.08e-05 | 10/10 | regressed |"))
        #expect(md.contains("| **geomean** | mops |"))
        let csv = c.rendered(as: .csv).split(separator: "\n")
        #expect(csv[0] == Comparison.csvColumns.joined(separator: ","))
        #expect(csv[1].hasPrefix("case,atomic,pair,live,pair,1,64,mops,Mops/s,10,10,10.004999999999999,8.3375,-16.66666"))
        #expect(csv[1].hasSuffix(",exact,regressed"))
        #expect(csv[2].hasPrefix("geomean,,,,,,,mops,,1,1,,,-16.66666"))
    }
}

extension ComparisonTests {
    @Test func missingOnBothSidesForTheSameReasonIsNotWarned() throws {
        let refused = (0..<3).map { LocatedRow(line: $0 + 30, row: makeRow(phase: .postKill, op: .alloc, repetition: $0,
                                                                            value: nil, unit: "n/a: refused after kill")) }
        let c = try compare(located(Self.baseMops) + refused, located(Self.baseMops) + refused)
        #expect(c.cases.last!.verdict == .missing)
        #expect(c.warnings.isEmpty)
    }
}
