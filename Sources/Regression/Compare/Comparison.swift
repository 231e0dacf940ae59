import Foundation
import Results
import Statistics

/// What `bench compare` decides: a change counts only if the Mann–Whitney test says it is
/// significant (p < alpha) *and* the medians differ by at least the threshold. The test alone
/// flags tiny but consistent shifts between two runs of one build (frequency, placement); the
/// threshold alone flags noise.
public struct ComparisonOptions: Equatable, Sendable {
    public var alpha: Double
    /// Minimum |delta| of the medians, in percent of the base median.
    public var thresholdPercent: Double

    public init(alpha: Double = 0.05, thresholdPercent: Double = 5) {
        self.alpha = alpha
        self.thresholdPercent = thresholdPercent
    }
}

public enum ComparisonVerdict: String, Sendable, CaseIterable {
    case improved
    case regressed
    /// No significant change beyond the threshold.
    case unchanged = "~"
    /// Significant and beyond the threshold, for a metric without a better direction.
    case changed
    /// A side has no values for the case (only `n/a` rows).
    case missing = "n/a"
}

/// The repetitions of one case on one side.
public struct SampleSummary: Equatable, Sendable {
    public var values: [Double]
    /// Reasons of this side's `n/a` rows, deduplicated, in file order.
    public var missingReasons: [String]
    public var median: Double? { Self.median(values) }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// One case present in both files.
public struct CaseComparison: Equatable, Sendable {
    public var key: ResultRow.CaseKey
    public var unit: String
    public var base: SampleSummary
    public var new: SampleSummary
    /// 100·(new − base)/|base| of the medians; ±infinity when only the base median is 0.
    public var deltaPercent: Double?
    public var test: MannWhitney.Result?
    /// True when these sample sizes cannot reach p < alpha whatever the values.
    public var tooFewSamples: Bool
    public var verdict: ComparisonVerdict

    public var direction: MetricDirection { Self.direction(of: key.metric) }

    /// `verdict` rows are outcomes of scenarios, not performance: never better or worse.
    static func direction(of metric: Metric) -> MetricDirection {
        metric.direction
    }
}

/// Geometric mean of new/base median ratios over the cases of one metric.
public struct GeomeanSummary: Equatable, Sendable {
    public var metric: Metric
    public var caseCount: Int
    public var ratio: Double
    public var deltaPercent: Double { (ratio - 1) * 100 }
}

/// Two result sets matched case by case (`ResultRow.caseKey`).
public struct Comparison: Equatable, Sendable {
    public var baseFile: String
    public var newFile: String
    public var options: ComparisonOptions
    /// Cases in both files, in the base file's order.
    public var cases: [CaseComparison]
    public var onlyInBase: [ResultRow.CaseKey]
    public var onlyInNew: [ResultRow.CaseKey]
    /// One per metric with a better direction, sorted by metric.
    public var geomeans: [GeomeanSummary]
    /// Things the reader must know that do not change the verdicts (sample sizes, context).
    public var warnings: [String]

    public var regressions: [CaseComparison] { cases.filter { $0.verdict == .regressed } }
    public var hasRegression: Bool { cases.contains { $0.verdict == .regressed } }

    /// Matches `base` against `new`. Throws when the input cannot be compared: a side without
    /// rows, a duplicated measurement, a case whose unit changes, or no case in common.
    public init(base: [LocatedRow], baseFile: String, new: [LocatedRow], newFile: String,
                options: ComparisonOptions = ComparisonOptions()) throws {
        self.baseFile = baseFile
        self.newFile = newFile
        self.options = options
        let baseCases = try CaseSamples.group(base, file: baseFile)
        let newCases = try CaseSamples.group(new, file: newFile)

        var cases: [CaseComparison] = []
        var onlyInBase: [ResultRow.CaseKey] = []
        for key in baseCases.order {
            let b = baseCases.samples[key]!
            guard let n = newCases.samples[key] else {
                onlyInBase.append(key)
                continue
            }
            // A verdict row's unit is its evidence (addresses, iteration counts): it differs run to run.
            if !key.metric.unitIsEvidence, let bUnit = b.unit, let nUnit = n.unit, bUnit != nUnit {
                throw ResultsCSVError(file: newFile, line: n.unitLine,
                                      reason: "case \(key): unit '\(nUnit)' differs from '\(bUnit)' in \(baseFile) line \(b.unitLine ?? 0)")
            }
            var c = Self.compareCase(key: key, unit: b.unit ?? n.unit ?? "", base: b.summary, new: n.summary, options: options)
            if key.isShownNotJudged, c.verdict != .missing { c.verdict = .unchanged }
            cases.append(c)
        }
        guard !cases.isEmpty else {
            throw ResultsCSVError(file: newFile, line: nil, reason: "no case in common with \(baseFile)")
        }
        self.cases = cases
        self.onlyInBase = onlyInBase
        self.onlyInNew = newCases.order.filter { baseCases.samples[$0] == nil }
        self.geomeans = Self.geomeans(of: cases)
        self.warnings = Self.sampleSizeWarnings(cases, alpha: options.alpha)
            + Self.missingWarnings(cases)
            + Self.contextWarnings(base: base.map(\.row), new: new.map(\.row))
    }

    static func compareCase(key: ResultRow.CaseKey, unit: String, base: SampleSummary, new: SampleSummary,
                            options: ComparisonOptions) -> CaseComparison {
        var result = CaseComparison(key: key, unit: unit, base: base, new: new, deltaPercent: nil, test: nil,
                                    tooFewSamples: false, verdict: .missing)
        guard let baseMedian = base.median, let newMedian = new.median else { return result }
        if key.metric == .verdict {
            // Safety verdicts are observations, not samples (0 safe, 1 leak, 2 use-after-free):
            // any move is significant, and a worse verdict is a regression.
            result.deltaPercent = deltaPercent(base: baseMedian, new: newMedian)
            result.verdict = newMedian > baseMedian ? .regressed : newMedian < baseMedian ? .improved : .unchanged
            return result
        }
        let delta = deltaPercent(base: baseMedian, new: newMedian)
        let test = MannWhitney.test(base.values, new.values)
        result.deltaPercent = delta
        result.test = test
        result.tooFewSamples = MannWhitney.minimumPValue(n1: base.values.count, n2: new.values.count) >= options.alpha
        let significant = test.pValue < options.alpha && abs(delta) >= options.thresholdPercent
        switch (significant, result.direction) {
        case (false, _): result.verdict = .unchanged
        case (true, .neither): result.verdict = .changed
        case (true, .higherIsBetter): result.verdict = delta > 0 ? .improved : .regressed
        case (true, .lowerIsBetter): result.verdict = delta < 0 ? .improved : .regressed
        }
        return result
    }

    static func deltaPercent(base: Double, new: Double) -> Double {
        if base == new { return 0 }
        if base == 0 { return new > 0 ? .infinity : -.infinity }
        return (new - base) / abs(base) * 100
    }

    static func geomeans(of cases: [CaseComparison]) -> [GeomeanSummary] {
        var logSums: [Metric: (sum: Double, count: Int)] = [:]
        for c in cases where c.direction != .neither {
            // A ratio needs two positive medians; zero latencies (below timer resolution) are left out.
            guard let b = c.base.median, let n = c.new.median, b > 0, n > 0 else { continue }
            logSums[c.key.metric, default: (0, 0)].sum += log(n / b)
            logSums[c.key.metric, default: (0, 0)].count += 1
        }
        return logSums.keys.sorted().map { metric in
            let (sum, count) = logSums[metric]!
            return GeomeanSummary(metric: metric, caseCount: count, ratio: exp(sum / Double(count)))
        }
    }

    static func sampleSizeWarnings(_ cases: [CaseComparison], alpha: Double) -> [String] {
        var countsBySizes: [String: Int] = [:]
        var order: [String] = []
        for c in cases where c.tooFewSamples {
            let sizes = "\(c.base.values.count) vs \(c.new.values.count)"
            if countsBySizes[sizes] == nil { order.append(sizes) }
            countsBySizes[sizes, default: 0] += 1
        }
        let needed = MannWhitney.repetitionsNeeded(alpha: alpha)
        return order.map { sizes in
            let parts = sizes.split(separator: " ").compactMap { Int($0) }
            let minimum = MannWhitney.minimumPValue(n1: parts[0], n2: parts[1])
            return "\(countsBySizes[sizes]!) case(s) have \(sizes) samples: the test cannot reach p < \(alpha) "
                + "(smallest possible p = \(formatP(minimum))), so no change can be called; "
                + "use at least \(needed) repetitions per side"
        }
    }

    /// A value that appears or disappears is news; `n/a` on both sides for the same reason (e.g.
    /// allocation after kill refused by design) is not.
    static func missingWarnings(_ cases: [CaseComparison]) -> [String] {
        cases.filter { $0.verdict == .missing }.compactMap { c in
            let baseEmpty = c.base.values.isEmpty, newEmpty = c.new.values.isEmpty
            if baseEmpty && newEmpty && c.base.missingReasons == c.new.missingReasons { return nil }
            let side = baseEmpty ? (newEmpty ? "either side" : "base") : "new"
            var reasons: [String] = []
            for reason in c.base.missingReasons + c.new.missingReasons where !reasons.contains(reason) {
                reasons.append(reason)
            }
            return "case \(c.key): no values on \(side) (\(reasons.joined(separator: "; ")))"
        }
    }

    /// Runs from different machines or builds can be compared, but the reader should know.
    static func contextWarnings(base: [ResultRow], new: [ResultRow]) -> [String] {
        let fields: [(String, KeyPath<ResultRow, String>)] = [
            ("host", \.host), ("cpu_model", \.cpuModel), ("kernel", \.kernel), ("swift", \.swift), ("build", \.build),
        ]
        var warnings = fields.compactMap { name, path -> String? in
            let b = Set(base.map { $0[keyPath: path] }), n = Set(new.map { $0[keyPath: path] })
            guard b != n else { return nil }
            return "\(name) differs: base \(b.sorted().joined(separator: ", ")); new \(n.sorted().joined(separator: ", "))"
        }
        // The same model string can hide another host: the cross-core round trip tells.
        func roundTrip(_ rows: [ResultRow]) -> Double? {
            let v = rows.filter { $0.metric == .roundTripNs }.compactMap(\.value).sorted()
            return v.isEmpty ? nil : v[v.count / 2]
        }
        if let b = roundTrip(base), let n = roundTrip(new), max(b, n) > 1.5 * min(b, n) {
            warnings.append(String(format: "cross-core round trip differs: base %.0f ns, new %.0f ns (median): another host or host state", b, n))
        }
        return warnings
    }

    static func formatP(_ p: Double) -> String { String(format: "%.3g", p) }
}

/// The samples of each case in one file, with the checks that need line numbers.
struct CaseSamples {
    struct Entry {
        var summary = SampleSummary(values: [], missingReasons: [])
        /// The unit of the numeric rows and the line where it was first seen.
        var unit: String?
        var unitLine: Int?
    }

    var samples: [ResultRow.CaseKey: Entry] = [:]
    /// Cases in order of first appearance.
    var order: [ResultRow.CaseKey] = []

    static func group(_ rows: [LocatedRow], file: String) throws -> CaseSamples {
        guard !rows.isEmpty else {
            throw ResultsCSVError(file: file, line: nil, reason: "no result rows after the header")
        }
        struct Measurement: Hashable {
            var runID: String, key: ResultRow.CaseKey, cpus: String, repetition: Int
        }
        var firstLine: [Measurement: Int] = [:]
        var grouped = CaseSamples()
        for located in rows {
            let row = located.row
            let key = row.caseKey
            // Several runs may be concatenated (more samples), but one run measures a repetition once.
            let measurement = Measurement(runID: row.runID, key: key, cpus: row.cpus, repetition: row.repetition)
            if let earlier = firstLine[measurement] {
                throw ResultsCSVError(file: file, line: located.line,
                                      reason: "case \(key) repetition \(row.repetition) of run '\(row.runID)' is already on line \(earlier)")
            }
            firstLine[measurement] = located.line
            if grouped.samples[key] == nil { grouped.order.append(key) }
            var entry = grouped.samples[key] ?? Entry()
            if let value = row.value {
                // A verdict is one of four outcomes, not a measurement: 4 or 1.5 is a broken file.
                if row.metric == .verdict && !VerdictKind.allCases.map(\.code).contains(value) {
                    throw ResultsCSVError(file: file, line: located.line,
                                          reason: "case \(key): verdict value \(value) is not 0 (safe), 1 (leak), 2 (use-after-free) or 3 (unsafe-context)")
                }
                if let unit = entry.unit, unit != row.unit {
                    throw ResultsCSVError(file: file, line: located.line,
                                          reason: "case \(key): unit '\(row.unit)' differs from '\(unit)' on line \(entry.unitLine!)")
                }
                if entry.unit == nil { (entry.unit, entry.unitLine) = (row.unit, located.line) }
                entry.summary.values.append(value)
            } else if !entry.summary.missingReasons.contains(row.unit) {
                entry.summary.missingReasons.append(row.unit)
            }
            grouped.samples[key] = entry
        }
        return grouped
    }
}
