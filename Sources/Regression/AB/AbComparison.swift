import Foundation
import Results
import Statistics

/// What `bench ab` decides: a case changed only when the whole confidence interval of the ratio
/// new/base lies beyond ±threshold. An interval that merely excludes 1 is not enough: on a
/// shared machine a consistent 1–2 % offset between two processes is common and not a change
/// anyone would act on.
public struct AbOptions: Equatable, Sendable {
    /// Half-width of the band around ratio 1 that counts as no change, in percent.
    public var thresholdPercent: Double
    public var confidence: Double
    /// Bootstrap resamples per case.
    public var resamples: Int
    /// Seeds the bootstrap (and nothing else), so a report can be reproduced from its CSVs.
    public var seed: UInt64
    /// Judge only cases whose name (`strategy/workload/phase/op/tN/SIZEB/metric`) contains one
    /// of these; empty judges every case.
    public var caseFilter: [String]

    public init(thresholdPercent: Double = 5, confidence: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 1,
                caseFilter: [String] = []) {
        self.thresholdPercent = thresholdPercent
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.caseFilter = caseFilter
    }
}

/// One whole-process run of one side: the rows of its results CSV.
public struct AbInvocation: Equatable, Sendable {
    public var file: String
    public var rows: [LocatedRow]
    /// Which back-to-back pair (one invocation of each side) this ran in; nil when unpaired.
    public var pair: Int?

    public init(file: String, rows: [LocatedRow], pair: Int? = nil) {
        self.file = file
        self.rows = rows
        self.pair = pair
    }
}

/// One case, judged with the invocation as the unit.
public struct AbCase: Equatable, Sendable {
    public var key: ResultRow.CaseKey
    public var unit: String
    /// Per side, one array of repetition values per invocation that measured the case.
    public var base: [[Double]]
    public var new: [[Double]]
    /// Reasons of `n/a` rows on either side, deduplicated.
    public var missingReasons: [String]
    /// The ratio new/base with its interval; nil when a side has no values or a statistic ≤ 0.
    public var interval: HierarchicalBootstrap.Interval?
    /// Fewer than `AbComparison.minimumInvocations` invocations with values on a side.
    public var tooFewInvocations: Bool
    /// Pairs the interval was computed from (the paired statistic); 0 when unpaired.
    public var pairs: Int
    public var verdict: ComparisonVerdict

    public var direction: MetricDirection { CaseComparison.direction(of: key.metric) }
    public var baseValue: Double? { base.isEmpty ? nil : HierarchicalBootstrap.statistic(base) }
    public var newValue: Double? { new.isEmpty ? nil : HierarchicalBootstrap.statistic(new) }
}

/// A case name given to `--case` matched nothing.
public struct AbCaseFilterError: Error, CustomStringConvertible, Sendable {
    public var filter: [String]
    public var description: String { "no measured case matches --case \(filter.joined(separator: ","))" }
}

/// Two revisions' invocations matched case by case.
public struct AbComparison: Equatable, Sendable {
    /// Below this, an interval over invocations says more about the few processes than the revision.
    public static let minimumInvocations = 3

    public var baseLabel: String
    public var newLabel: String
    public var options: AbOptions
    public var cases: [AbCase]
    public var onlyInBase: [ResultRow.CaseKey]
    public var onlyInNew: [ResultRow.CaseKey]
    public var geomeans: [GeomeanSummary]
    public var warnings: [String]

    public var hasRegression: Bool { cases.contains { $0.verdict == .regressed } }

    /// Throws `ResultsCSVError` for an unusable invocation (no rows, duplicated measurement,
    /// unit changing) and `AbCaseFilterError` when `options.caseFilter` matches no case.
    public init(base: [AbInvocation], baseLabel: String, new: [AbInvocation], newLabel: String,
                options: AbOptions = AbOptions()) throws {
        self.baseLabel = baseLabel
        self.newLabel = newLabel
        self.options = options
        let baseSide = try SideSamples(base)
        let newSide = try SideSamples(new)
        func wanted(_ key: ResultRow.CaseKey) -> Bool {
            options.caseFilter.isEmpty || options.caseFilter.contains { key.description.contains($0) }
        }
        var generator = SplitMix64(seed: options.seed)
        var cases: [AbCase] = []
        for key in baseSide.order where wanted(key) {
            guard let n = newSide.cases[key] else { continue }
            let b = baseSide.cases[key]!
            if !key.metric.unitIsEvidence, let bu = b.unit, let nu = n.unit, bu != nu {
                throw ResultsCSVError(file: n.unitFile ?? "new", line: n.unitLine,
                                      reason: "case \(key): unit '\(nu)' differs from '\(bu)' on the base side")
            }
            cases.append(Self.judge(key: key, unit: b.unit ?? n.unit ?? "", base: b, new: n, options: options,
                                    using: &generator))
        }
        self.onlyInBase = baseSide.order.filter { wanted($0) && newSide.cases[$0] == nil }
        self.onlyInNew = newSide.order.filter { wanted($0) && baseSide.cases[$0] == nil }
        guard !cases.isEmpty else {
            if !options.caseFilter.isEmpty { throw AbCaseFilterError(filter: options.caseFilter) }
            throw ResultsCSVError(file: new.first?.file ?? "new", line: nil, reason: "no case in common with the base side")
        }
        self.cases = cases
        self.geomeans = Self.geomeans(of: cases)
        var warnings: [String] = []
        let few = cases.filter(\.tooFewInvocations).count
        if few > 0 {
            warnings.append("\(few) case(s) have fewer than \(Self.minimumInvocations) invocations with values on a side: "
                + "no verdict; run more invocations")
        }
        warnings += Comparison.contextWarnings(base: base.flatMap { $0.rows.map(\.row) },
                                               new: new.flatMap { $0.rows.map(\.row) })
        self.warnings = warnings
    }

    static func judge<G: RandomNumberGenerator>(key: ResultRow.CaseKey, unit: String, base: SideSamples.Case,
                                                new: SideSamples.Case, options: AbOptions,
                                                using generator: inout G) -> AbCase {
        var reasons: [String] = []
        for r in base.missingReasons + new.missingReasons where !reasons.contains(r) { reasons.append(r) }
        var result = AbCase(key: key, unit: unit, base: base.invocations, new: new.invocations, missingReasons: reasons,
                            interval: nil, tooFewInvocations: false, pairs: 0, verdict: .missing)
        guard !base.invocations.isEmpty, !new.invocations.isEmpty else { return result }
        if key.metric == .verdict {
            // Safety verdicts are observations (0 safe, 1 leak, 2 use-after-free): the worst counts.
            let worst = { (side: [[Double]]) in side.joined().max()! }
            let (b, n) = (worst(base.invocations), worst(new.invocations))
            result.verdict = n > b ? .regressed : n < b ? .improved : .unchanged
            return result
        }
        result.tooFewInvocations = min(base.invocations.count, new.invocations.count) < minimumInvocations
        let pairs = pairedInvocations(base, new)
        if pairs.count >= minimumInvocations {
            result.pairs = pairs.count
            result.interval = HierarchicalBootstrap.pairedRatioInterval(pairs: pairs, resamples: options.resamples,
                                                                        confidence: options.confidence, using: &generator)
        } else {
            result.interval = HierarchicalBootstrap.ratioInterval(base: base.invocations, new: new.invocations,
                                                                  resamples: options.resamples,
                                                                  confidence: options.confidence, using: &generator)
        }
        result.verdict = .unchanged
        // Shown with their interval, never judged (an A/A here once called the host's 1-thread
        // RMW "regressed" by 6 %); machine differences are warned about instead.
        guard !key.isShownNotJudged else { return result }
        guard let interval = result.interval, !result.tooFewInvocations else { return result }
        let band = max(options.thresholdPercent / 100, key.metric.isSpreadBanded ? eventSpread(base, new) : 0)
        let up = interval.lower > 1 + band, down = interval.upper < 1 - band
        guard up || down else { return result }
        switch result.direction {
        case .neither: result.verdict = .changed
        case .higherIsBetter: result.verdict = up ? .improved : .regressed
        case .lowerIsBetter: result.verdict = up ? .regressed : .improved
        }
        return result
    }

    /// One-off events (`latency_us`: a kill, a walk, a destroy, a teardown — mostly the kernel
    /// unmapping and freeing pages) are timed once per repetition, and from one process to the
    /// next they move far more than throughput does: in an A/A of one binary here a teardown's
    /// invocation medians ran 471–743 µs on one side and 507–576 µs on the other, and five pairs
    /// gave an interval of [0.71, 0.94]. So their band is at least the larger side's spread
    /// between invocations: 1.4826 × the median absolute deviation of the log invocation
    /// medians (a robust σ), as a fraction. A change smaller than what the same binary does from
    /// one process to the next is not called.
    static func eventSpread(_ base: SideSamples.Case, _ new: SideSamples.Case) -> Double {
        func spread(_ invocations: [[Double]]) -> Double {
            let logs = invocations.compactMap { reps -> Double? in
                let v = reps.filter { $0 > 0 }.sorted()
                return v.isEmpty ? nil : log(v[v.count / 2])
            }.sorted()
            guard logs.count >= 3 else { return 0 }
            let center = logs[logs.count / 2]
            let deviations = logs.map { abs($0 - center) }.sorted()
            return exp(1.4826 * deviations[deviations.count / 2]) - 1
        }
        return max(spread(base.invocations), spread(new.invocations))
    }

    /// The pairs in which both sides measured the case (empty when the invocations are unpaired).
    static func pairedInvocations(_ base: SideSamples.Case, _ new: SideSamples.Case) -> [(base: [Double], new: [Double])] {
        guard !base.pairs.contains(nil), !new.pairs.contains(nil) else { return [] }
        var newByPair: [Int: [Double]] = [:]
        for (pair, values) in zip(new.pairs, new.invocations) { newByPair[pair!] = values }
        return zip(base.pairs, base.invocations).compactMap { pair, values in newByPair[pair!].map { (values, $0) } }
    }

    static func geomeans(of cases: [AbCase]) -> [GeomeanSummary] {
        var logSums: [Metric: (sum: Double, count: Int)] = [:]
        for c in cases where c.direction != .neither {
            guard let ratio = c.interval?.estimate else { continue }
            logSums[c.key.metric, default: (0, 0)].sum += log(ratio)
            logSums[c.key.metric, default: (0, 0)].count += 1
        }
        return logSums.keys.sorted().map { metric in
            let (sum, count) = logSums[metric]!
            return GeomeanSummary(metric: metric, caseCount: count, ratio: exp(sum / Double(count)))
        }
    }
}

/// One side's invocations regrouped by case: per case, the repetitions of each invocation.
struct SideSamples {
    struct Case {
        var invocations: [[Double]] = []
        /// The pair of each entry of `invocations`.
        var pairs: [Int?] = []
        var missingReasons: [String] = []
        var unit: String?
        var unitFile: String?
        var unitLine: Int?
    }

    var cases: [ResultRow.CaseKey: Case] = [:]
    var order: [ResultRow.CaseKey] = []

    init(_ invocations: [AbInvocation]) throws {
        for invocation in invocations {
            // compare's grouping checks each file (duplicates, units) and names its lines.
            let grouped = try CaseSamples.group(invocation.rows, file: invocation.file)
            for key in grouped.order {
                let entry = grouped.samples[key]!
                if cases[key] == nil { order.append(key) }
                var c = cases[key] ?? Case()
                if let unit = entry.unit {
                    if let known = c.unit, known != unit, !key.metric.unitIsEvidence {
                        throw ResultsCSVError(file: invocation.file, line: entry.unitLine,
                                              reason: "case \(key): unit '\(unit)' differs from '\(known)' in \(c.unitFile!)")
                    }
                    if c.unit == nil { (c.unit, c.unitFile, c.unitLine) = (unit, invocation.file, entry.unitLine) }
                }
                if !entry.summary.values.isEmpty {
                    c.invocations.append(entry.summary.values)
                    c.pairs.append(invocation.pair)
                }
                for r in entry.summary.missingReasons where !c.missingReasons.contains(r) { c.missingReasons.append(r) }
                cases[key] = c
            }
        }
    }
}
