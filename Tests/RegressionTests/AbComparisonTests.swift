import Foundation
import Results
import Testing
@testable import Regression

struct AbComparisonTests {
    func invocations(_ values: [[Double]], side: String, metric: Metric = .mops, strategy: String = "atomic") -> [AbInvocation] {
        AbNoise.invocations(values, side: side, metric: metric, strategy: strategy)
    }

    @Test func casesGroupByInvocationAndVerdictFollowsTheMetricsDirection() throws {
        let base = [[100.0, 101, 99], [100, 100, 100], [99, 101, 100], [100, 102, 98]]
        let slower = base.map { $0.map { $0 * 0.8 } }
        let mops = try AbComparison(base: invocations(base, side: "b"), baseLabel: "A",
                                    new: invocations(slower, side: "n"), newLabel: "B")
        #expect(mops.cases.count == 1)
        #expect(mops.cases[0].base.count == 4 && mops.cases[0].new.count == 4)
        #expect(mops.cases[0].verdict == .regressed)
        #expect(abs(mops.cases[0].interval!.estimate - 0.8) < 1e-12)
        #expect(mops.hasRegression)
        let ns = try AbComparison(base: invocations(base, side: "b", metric: .nsPerOp), baseLabel: "A",
                                  new: invocations(slower, side: "n", metric: .nsPerOp), newLabel: "B")
        #expect(ns.cases[0].verdict == .improved)
        #expect(abs(ns.geomeans[0].deltaPercent + 20) < 1e-9)
    }

    @Test func aShiftInsideTheThresholdIsNoVerdict() throws {
        let base = [[100.0, 100, 100], [100, 100, 100], [100, 100, 100]]
        let new = base.map { $0.map { $0 * 1.04 } }
        let c = try AbComparison(base: invocations(base, side: "b"), baseLabel: "A", new: invocations(new, side: "n"), newLabel: "B")
        #expect(c.cases[0].verdict == .unchanged)
        let strict = try AbComparison(base: invocations(base, side: "b"), baseLabel: "A", new: invocations(new, side: "n"),
                                      newLabel: "B", options: AbOptions(thresholdPercent: 3))
        #expect(strict.cases[0].verdict == .improved)
    }

    /// One-off events are judged against their own spread between invocations: the A/A that
    /// CI once saw (a teardown's base side drifting 471–743 µs, the new side 507–576 µs, five
    /// pairs) calls nothing, while a destroy that takes twice as long still regresses, and a
    /// throughput case with the same offset keeps the plain 5 % band.
    @Test func eventsAreJudgedAgainstTheirSpreadBetweenInvocations() throws {
        let base: [[Double]] = [[504, 469, 471], [651, 531, 562], [659, 704, 560], [850, 607, 743], [763, 728, 719]]
        let same: [[Double]] = [[554, 483, 507], [555, 499, 511], [633, 523, 515], [533, 497, 544], [609, 576, 517]]
        func judge(_ b: [[Double]], _ n: [[Double]], metric: Metric) throws -> AbCase {
            let r = try AbComparison(base: AbNoise.invocations(b, side: "base", metric: metric, strategy: "global", paired: true),
                                     baseLabel: "A", new: AbNoise.invocations(n, side: "new", metric: metric, strategy: "global", paired: true),
                                     newLabel: "A")
            return try #require(r.cases.first)
        }
        let aa = try judge(base, same, metric: .latencyUs)
        #expect(aa.verdict == .unchanged, "\(String(describing: aa.interval))")
        #expect(AbComparison.eventSpread(.init(invocations: base), .init(invocations: same)) > 0.15)
        let doubled = try judge(base, base.map { $0.map { $0 * 2 } }, metric: .latencyUs)
        #expect(doubled.verdict == .regressed)
        // Throughput keeps the fixed band: the same values read as Mops/s are judged on ±5 %.
        let throughput = try judge(base, base.map { $0.map { $0 * 0.8 } }, metric: .mops)
        #expect(throughput.verdict == .regressed)
    }

    /// The host's calibration rows describe the machine: a 20 % slower line transfer in every
    /// new invocation is shown, not called.
    @Test func calibrationRowsAreNeverJudged() throws {
        func side(_ name: String, _ v: Double) -> [AbInvocation] {
            (0..<5).map { i in
                AbInvocation(file: "\(name)-\(i).csv", rows: (0..<3).map { r in
                    LocatedRow(line: r + 2, row: makeRow(strategy: "host", workload: "line", phase: .calibration, op: .rmw,
                                                         repetition: r, metric: .nsPerOp, value: v, runID: "\(name)-\(i)"))
                }, pair: i)
            }
        }
        let r = try AbComparison(base: side("base", 2.4), baseLabel: "A", new: side("new", 2.9), newLabel: "A")
        let c = try #require(r.cases.first)
        #expect(c.verdict == .unchanged)
        #expect((c.interval?.lower ?? 0) > 1.15)
    }

    /// The A/A CI saw (global's kill-phase free max 165 → 340.5 ns over 4 + 4 invocations while
    /// the host's round trip moved): a maximum is shown with its interval and never called; a
    /// 99.9th percentile is judged outside its spread between invocations, a p50 on the plain band.
    @Test func aMaximumIsNeverCalledAndTheTailIsSpreadBanded() throws {
        let base: [[Double]] = [[160, 170, 150], [165, 180, 120], [150, 165, 170], [170, 160, 200]]
        let new: [[Double]] = [[340, 300, 360], [330, 350, 341], [300, 345, 338], [360, 320, 340]]
        func judge(_ metric: Metric, _ b: [[Double]], _ n: [[Double]]) throws -> AbCase {
            let r = try AbComparison(base: AbNoise.invocations(b, side: "base", metric: metric, strategy: "global", paired: true),
                                     baseLabel: "A", new: AbNoise.invocations(n, side: "new", metric: metric, strategy: "global", paired: true),
                                     newLabel: "A")
            return try #require(r.cases.first)
        }
        let max = try judge(.maxNs, base, new)
        #expect(max.verdict == .unchanged)
        #expect((max.interval?.lower ?? 0) > 1.5)
        #expect(try judge(.p50Ns, base, new).verdict == .regressed)
        // Tail medians that wander ±40 % between one binary's invocations: a 30 % rise is inside.
        let wander: [[Double]] = [[100, 100, 100], [140, 140, 140], [70, 70, 70], [120, 120, 120], [85, 85, 85]]
        let risen = wander.map { $0.map { $0 * 1.3 } }
        #expect(AbComparison.eventSpread(.init(invocations: wander), .init(invocations: risen)) > 0.3)
        #expect(try judge(.p999Ns, wander, risen).verdict == .unchanged)
        #expect(try judge(.p999Ns, wander, wander.map { $0.map { $0 * 3 } }).verdict == .regressed)
    }

    @Test func tooFewInvocationsGiveNoVerdict() throws {
        let c = try AbComparison(base: invocations([[100, 100], [100, 100]], side: "b"), baseLabel: "A",
                                 new: invocations([[50, 50], [50, 50]], side: "n"), newLabel: "B")
        #expect(c.cases[0].tooFewInvocations)
        #expect(c.cases[0].verdict == .unchanged)
        #expect(c.warnings.contains { $0.contains("fewer than 3 invocations") })
    }

    @Test func caseFilterKeepsOnlyMatchingCases() throws {
        let v = [[1.0, 1, 1], [1, 1, 1], [1, 1, 1]]
        let base = invocations(v, side: "b", strategy: "atomic") + invocations(v, side: "b2", strategy: "lazy")
        let new = invocations(v, side: "n", strategy: "atomic") + invocations(v, side: "n2", strategy: "lazy")
        let c = try AbComparison(base: base, baseLabel: "A", new: new, newLabel: "B", options: AbOptions(caseFilter: ["lazy/"]))
        #expect(c.cases.map(\.key.strategy) == ["lazy"])
        #expect(throws: AbCaseFilterError.self) {
            try AbComparison(base: base, baseLabel: "A", new: new, newLabel: "B", options: AbOptions(caseFilter: ["nope"]))
        }
    }

    @Test func aDuplicatedRepetitionInOneInvocationIsADataError() throws {
        var rows = invocations([[1, 2]], side: "b")
        rows[0].rows[1].row.repetition = 0
        #expect(throws: ResultsCSVError.self) {
            try AbComparison(base: rows, baseLabel: "A", new: invocations([[1, 2]], side: "n"), newLabel: "B")
        }
    }

    @Test func viewsShowRatioIntervalAndSummary() throws {
        let base = [[100.0, 101, 99], [100, 100, 100], [99, 101, 100]]
        let c = try AbComparison(base: invocations(base, side: "b"), baseLabel: "A", new: invocations(base, side: "n"), newLabel: "B")
        let text = c.rendered(as: .txt)
        #expect(text.contains("95% CI"))
        #expect(text.contains("atomic/pair/live/pair/t1/64B"))
        #expect(text.contains("1 unchanged"))
        let csv = c.rendered(as: .csv).split(separator: "\n")
        #expect(csv[0] == Substring(AbComparison.csvColumns.joined(separator: ",")))
        #expect(csv[1].hasPrefix("case,atomic,pair,live,pair,1,64,mops,Mops/s,3,3,"))
        #expect(csv[1].hasSuffix(",0.0,unchanged"))
        #expect(text.contains("beyond ±5%"))
        #expect(c.rendered(as: .md).contains("| case | metric |"))
    }
}
