import Foundation

/// The report's findings: "compared to what?" answered from the rows of one run.
///
/// (a) each per-CPU strategy's live throughput relative to the best system allocator on the
/// same case, and (b) the v5 claim that the fixed-size (kmem_cache) path "doesn't bring any
/// performance benefits vs normal kmalloc", judged by `kmem-cache` against `lazy` (same
/// lifetime, size-class path). Pure: rows in, values and ≤75-column lines out, so the markdown
/// and mail reports print the same text.
public enum Findings {
    /// Strategy names that are reference rows, not per-CPU strategies.
    public static let systemAllocators: Set<String> = ["glibc", "jemalloc", "mimalloc", "tcmalloc"]
    /// Within this fraction of `lazy`, the fixed-size path brings no benefit.
    public static let claimTolerance = 0.05
    /// The mail is read in 80-column terminals with quoting: lines stay within this.
    public static let maximumLineWidth = 75

    /// One per-CPU strategy case against the fastest system allocator on the same case.
    public struct RelativeSpeed: Equatable, Sendable {
        public let strategy, workload, op: String
        public let threads, size: Int
        /// Mean live throughput over repetitions, million ops/s.
        public let mops: Double
        /// The system allocator with the highest mean on this case.
        public let reference: String
        public let referenceMops: Double
        /// `mops / referenceMops`: above 1 the strategy is faster.
        public var ratio: Double { mops / referenceMops }
    }

    /// Fixed-size path (`kmem-cache`) against the size-class path (`lazy`) on one live pair case.
    public struct FixedSizePathCase: Equatable, Sendable {
        public let workload: String
        public let threads, size: Int
        public let kmemCacheMops, sizeClassMops: Double
        /// `kmemCacheMops / sizeClassMops`.
        public var ratio: Double { kmemCacheMops / sizeClassMops }
    }

    public enum ClaimVerdict: String, Sendable {
        /// kmem-cache no more than 5 % faster than size classes: no benefit, as the kernel said.
        case confirmed
        /// kmem-cache more than 5 % faster.
        case refuted
    }

    /// The claim over every matched case: judged on the geometric mean of the ratios.
    public struct FixedSizeClaim: Equatable, Sendable {
        public let cases: [FixedSizePathCase]
        public var ratio: Double { Findings.geometricMean(cases.map(\.ratio)) }
        public var verdict: ClaimVerdict { ratio > 1 + Findings.claimTolerance ? .refuted : .confirmed }
    }

    // MARK: Computation

    /// Every per-CPU strategy case (live phase, `mops`, ops pair/alloc/free) that has a system
    /// allocator on the same workload, op, thread count and size, sorted by workload then strategy.
    public static func relativeSpeeds(_ rows: [ResultRow]) -> [RelativeSpeed] {
        let means = liveThroughputMeans(rows)
        var best: [Case: (name: String, mops: Double)] = [:]
        for (key, mops) in means where systemAllocators.contains(key.strategy) {
            let slot = key.withoutStrategy
            // Ties go to the alphabetically first name, so the output does not depend on hashing.
            if let current = best[slot], current.mops > mops || (current.mops == mops && current.name < key.strategy) {
                continue
            }
            best[slot] = (key.strategy, mops)
        }
        var result: [RelativeSpeed] = []
        for (key, mops) in means where !systemAllocators.contains(key.strategy) {
            guard let reference = best[key.withoutStrategy], reference.mops > 0 else { continue }
            result.append(RelativeSpeed(strategy: key.strategy, workload: key.workload, op: key.op, threads: key.threads,
                                        size: key.size, mops: mops, reference: reference.name,
                                        referenceMops: reference.mops))
        }
        return result.sorted {
            ($0.workload, $0.threads, $0.size, opOrder($0.op), $0.strategy)
                < ($1.workload, $1.threads, $1.size, opOrder($1.op), $1.strategy)
        }
    }

    /// The kmem-cache vs size-class claim, or nil when no case has both `kmem-cache` and `lazy`.
    public static func fixedSizeClaim(_ rows: [ResultRow]) -> FixedSizeClaim? {
        let means = liveThroughputMeans(rows)
        var cases: [FixedSizePathCase] = []
        for (key, kmem) in means where key.strategy == "kmem-cache" && key.op == "pair" {
            let lazyKey = Case(strategy: "lazy", workload: key.workload, op: key.op, threads: key.threads, size: key.size)
            guard let lazy = means[lazyKey], lazy > 0, kmem > 0 else { continue }
            cases.append(FixedSizePathCase(workload: key.workload, threads: key.threads, size: key.size,
                                           kmemCacheMops: kmem, sizeClassMops: lazy))
        }
        guard !cases.isEmpty else { return nil }
        return FixedSizeClaim(cases: cases.sorted { ($0.workload, $0.threads, $0.size) < ($1.workload, $1.threads, $1.size) })
    }

    // MARK: Text

    /// The comparison section's lines, each at most `maximumLineWidth` columns, valid as
    /// markdown (bullets) and as plain mail text. Says so when a comparison has no data.
    public static func lines(_ rows: [ResultRow]) -> [String] {
        var out: [String] = []
        let speeds = relativeSpeeds(rows)
        if speeds.isEmpty {
            out.append("No system allocator rows to compare with.")
        } else {
            out.append("Live throughput relative to the best system allocator on")
            out.append("the same case (x = strategy Mops/s / reference Mops/s):")
            out.append("")
            for s in speeds {
                out.append("- " + fit("\(s.strategy) \(s.workload)/\(s.op) t\(s.threads) \(s.size)B: "
                    + "\(times(s.ratio)) \(s.reference) (\(mops(s.mops)) vs \(mops(s.referenceMops)))"))
            }
        }
        out.append("")
        guard let claim = fixedSizeClaim(rows) else {
            out.append("Fixed-size path claim: not tested (needs live pair rows")
            out.append("for both kmem-cache and lazy).")
            return out
        }
        out.append("v5 claim: \"usage of kmem_cache for fixed size allocations")
        out.append("doesn't bring any performance benefits vs normal kmalloc\".")
        let change = claim.ratio - 1
        let how = abs(change) <= claimTolerance
            ? "within \(percent(claimTolerance)) of"
            : "\(percent(abs(change))) \(change > 0 ? "faster" : "slower") than"
        out.append(fit("\(claim.verdict.rawValue.capitalized): kmem-cache is \(how) lazy"))
        out.append(fit("(size classes): kmem-cache/lazy = \(ratio(claim.ratio)), geometric mean"))
        out.append(fit("of \(claim.cases.count) live pair case\(claim.cases.count == 1 ? "" : "s")."))
        for c in claim.cases {
            out.append("- " + fit("\(c.workload) t\(c.threads) \(c.size)B: \(ratio(c.ratio)) "
                + "(\(mops(c.kmemCacheMops)) vs \(mops(c.sizeClassMops)) Mops/s)"))
        }
        return out
    }

    // MARK: Helpers

    /// A case without repetition: what means are taken over.
    struct Case: Hashable {
        let strategy, workload, op: String
        let threads, size: Int
        var withoutStrategy: Case { Case(strategy: "", workload: workload, op: op, threads: threads, size: size) }
    }

    /// Mean `mops` over repetitions of each live alloc/free/pair case; missing values are ignored.
    static func liveThroughputMeans(_ rows: [ResultRow]) -> [Case: Double] {
        var sums: [Case: (total: Double, count: Int)] = [:]
        for row in rows where row.phase == "live" && row.metric == "mops" && opOrder(row.op) < 3 {
            guard let value = row.value, value.isFinite else { continue }
            let key = Case(strategy: row.strategy, workload: row.workload, op: row.op, threads: row.threads, size: row.size)
            sums[key, default: (0, 0)].total += value
            sums[key, default: (0, 0)].count += 1
        }
        return sums.mapValues { $0.total / Double($0.count) }
    }

    static func opOrder(_ op: String) -> Int {
        switch op {
        case "pair": 0
        case "alloc": 1
        case "free": 2
        default: 3
        }
    }

    static func geometricMean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }

    static func times(_ r: Double) -> String { String(format: "%.2fx", r) }
    static func ratio(_ r: Double) -> String { String(format: "%.3f", r) }
    static func percent(_ f: Double) -> String { String(format: "%.0f %%", f * 100) }
    static func mops(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.3g", v) }

    /// Keeps a line within the mail width; the cut is marked so it is never silent.
    static func fit(_ line: String) -> String {
        let limit = maximumLineWidth - 2  // room for the "- " bullet
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }
}
