import Foundation
import Statistics

/// "Strategies in the kernel": each lifetime policy's accounting run inside BPF programs around
/// bpf_global_ma (`kernel-atomic`, `kernel-percpu-ref`, `kernel-lazy`, `kernel-hybrid`), stated
/// in the kernel's terms: ns/op, the ns it adds over `kernel` (the landed design, no
/// accounting) with its 95 % bootstrap interval, that as a share of the kernel's own pair, and
/// beside it what the model says the same policy adds over `global`. It opens every report
/// that has kernel policy rows; the fidelity line says how well the model's added ns predicts
/// the kernel's.
public enum KernelStrategiesSection {
    public static let title = "strategies in the kernel: ns/op, added over kernel"
    /// The phase of the pair interleaved in time (Runner's KernelInterleavedPhase): every
    /// subject in 5 ms slices, order rotated per round, so the kernel's drift cancels in each
    /// round's difference. Where these rows exist they give the `pair` cells.
    public static let interleavedPhase = "interleaved"
    /// Kernel subject → the model strategy it runs.
    public static let policies: [(kernel: String, model: String)] = [
        ("kernel-atomic", "atomic"), ("kernel-percpu-ref", "percpu-ref"), ("kernel-lazy", "lazy"), ("kernel-hybrid", "hybrid"),
    ]
    static let workloads: [(workload: String, op: String)] = [
        ("pair", "pair"), ("batch", "alloc"), ("batch", "free"), ("kptr-xchg", "pair"), ("remote", "pair"),
    ]

    /// One comparison: a policy, a workload/op, a thread count.
    public struct Cell: Sendable {
        public let policy: String
        public let workload: String
        public let op: String
        public let threads: Int
        public let size: Int
        public let kernelNs: Double
        public let added: AddedNanoseconds
        /// The kernel's own `pair` ns/op at this thread count (the share's denominator).
        public let kernelPairNs: Double?
        public let modelAdded: Double?
        /// From the interleaved phase (within-round differences), not whole repetitions.
        public let interleaved: Bool
    }

    /// Every cell the rows allow (live ns_per_op of a kernel policy and of `kernel`; for `pair`,
    /// the interleaved phase's rounds when the run has them).
    public static func cells(_ rows: [ResultRow]) -> [Cell] {
        var samples: [String: [Int: Double]] = [:]
        for r in rows where (r.phase == "live" || r.phase == interleavedPhase) && r.metric == "ns_per_op" {
            guard let v = r.value else { continue }
            samples["\(r.phase)|\(r.strategy)|\(r.workload)|\(r.op)|\(r.threads)|\(r.size)", default: [:]][r.repetition] = v
        }
        func values(_ phase: String, _ s: String, _ w: String, _ op: String, _ t: Int, _ size: Int) -> [Int: Double] {
            samples["\(phase)|\(s)|\(w)|\(op)|\(t)|\(size)"] ?? [:]
        }
        func median(_ d: [Int: Double]) -> Double? { d.isEmpty ? nil : Effect.median(Array(d.values)) }
        let threads = Set(rows.map(\.threads)).sorted()
        let sizes = Set(rows.map(\.size)).sorted()
        var cells: [Cell] = []
        for size in sizes {
            for p in policies {
                for (w, op) in workloads {
                    for t in threads {
                        // The interleaved rounds where both subjects have them: each round's
                        // difference, the drift cancelled; else whole repetitions.
                        let iSubject = values(interleavedPhase, p.kernel, w, op, t, size), iBase = values(interleavedPhase, "kernel", w, op, t, size)
                        let interleaved = !iSubject.isEmpty && Set(iSubject.keys) == Set(iBase.keys)
                        let phase = interleaved ? interleavedPhase : "live"
                        let subject = values(phase, p.kernel, w, op, t, size), base = values(phase, "kernel", w, op, t, size)
                        guard let kernelNs = median(subject), !base.isEmpty else { continue }
                        let added: AddedNanoseconds?
                        let keys = subject.keys.sorted()
                        if interleaved {
                            let d = keys.map { subject[$0]! - base[$0]! }
                            added = AddedNanoseconds.differenceOfMedians(d, [Double](repeating: 0, count: d.count), paired: true)
                        } else {
                            // Paired by repetition when both ran in the same rounds.
                            let paired = Set(subject.keys) == Set(base.keys)
                            added = AddedNanoseconds.differenceOfMedians(keys.map { subject[$0]! }, paired ? keys.map { base[$0]! } : Array(base.values),
                                                                         paired: paired)
                        }
                        guard let added else { continue }
                        var modelAdded: Double?
                        if let m = median(values("live", p.model, w, op, t, size)), let g = median(values("live", "global", w, op, t, size)) { modelAdded = m - g }
                        let kernelPair = median(values(phase, "kernel", "pair", "pair", t, size))
                        cells.append(Cell(policy: p.kernel, workload: w, op: op, threads: t, size: size, kernelNs: kernelNs, added: added,
                                          kernelPairNs: kernelPair, modelAdded: modelAdded, interleaved: interleaved))
                    }
                }
            }
        }
        return cells
    }

    /// The table (≤ 75 columns), one per object size; empty without kernel policy rows.
    public static func tables(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let all = cells(rows)
        let sizes = Set(all.map(\.size)).sorted()
        return sizes.map { size in
            let body = all.filter { $0.size == size }.map { c -> [String] in
                let share = c.kernelPairNs.map { v -> String in
                    let p = 100 * c.added.added / v
                    return (p >= 0 ? "+" : "−") + String(format: "%.1f%%", abs(p))
                } ?? ""
                let name = c.policy == "kernel-percpu-ref" ? "pcpu-ref" : String(c.policy.dropFirst("kernel-".count))
                return [name, c.op == "pair" ? c.workload : "\(c.workload) \(c.op)", "\(c.threads)",
                        String(format: "%.0f", c.kernelNs), "\(compact(c.added.added)) [\(compact(c.added.low)),\(compact(c.added.high))]", share,
                        c.modelAdded.map(compact) ?? ""]
            }
            // ≤ 75 columns for mail: the interval shares the added column, integers above 10.
            let rounds = all.filter { $0.size == size && $0.interleaved }.isEmpty ? ""
                : "; pair: subjects interleaved in 5 ms slices, added = median of each round's difference"
            return ReportSections.Table(title: title + (sizes.count > 1 ? ", \(size) B" : "") + rounds,
                                        header: ["policy", "workload", "thr", "ns/op", "+ns [95 % CI]", "%pair", "model+ns"], rows: body)
        }
    }

    /// How well the model's added ns predicts the kernel's: the share of cells whose kernel
    /// interval holds the model's figure, and how wide those intervals are (what the kernel rows
    /// could have resolved). Nil without cells that have both.
    public static func fidelity(_ rows: [ResultRow]) -> String? {
        let both = cells(rows).filter { $0.modelAdded != nil }
        guard !both.isEmpty else { return nil }
        // The interleaved pair cells resolve ns; whole repetitions resolve ~100 ns: told apart.
        let groups = [(both.filter(\.interleaved), "pair (interleaved rounds): "), (both.filter { !$0.interleaved }, both.contains(where: \.interleaved) ? "other workloads (whole repetitions): " : "")]
        let clauses = groups.filter { !$0.0.isEmpty }.map { group, label -> String in
            let inside = group.filter { $0.added.low <= $0.modelAdded! && $0.modelAdded! <= $0.added.high }.count
            let halfWidth = Effect.median(group.map { ($0.added.high - $0.added.low) / 2 })
            let error = Effect.median(group.map { abs($0.modelAdded! - $0.added.added) })
            return "\(label)the model's added ns lies inside the kernel's 95 % interval in \(inside) of \(group.count) cells; "
                + "median |model − kernel| \(ResultCell.format(error)) ns, kernel intervals ±\(ResultCell.format(halfWidth)) ns (median half-width)"
        }
        return "Model fidelity: " + clauses.joined(separator: "; ") + ": differences smaller than an interval are not resolved by the kernel rows."
    }

    /// The findings in the kernel's terms, one per policy at each thread count, from the `pair`
    /// workload: added ns with its interval and its share of the kernel's pair. (RunFindings
    /// calls this; the headline comes from these when kernel rows exist.)
    public static func findings(_ rows: [ResultRow]) -> [String] {
        let all = cells(rows).filter { $0.workload == "pair" }
        var out: [String] = []
        for p in policies {
            let mine = all.filter { $0.policy == p.kernel }.sorted { $0.threads < $1.threads }
            guard !mine.isEmpty else { continue }
            let parts = mine.map { c -> String in
                let rounds = c.interleaved ? " in the same rounds" : ""
                let share = c.kernelPairNs.map { ", \(pct(100 * c.added.added / $0)) of the kernel's \(ResultCell.format($0)) ns pair\(rounds)" } ?? ""
                let claim = c.added.excludesZero ? "" : " (no difference beyond ±\(ResultCell.format(max(abs(c.added.low), abs(c.added.high)))) ns)"
                return "\(c.threads) thr \(signed(c.added.added)) ns/op [\(signed(c.added.low)), \(signed(c.added.high))]\(share)\(claim)"
            }
            out.append("\(p.kernel) (its accounting in BPF around bpf_global_ma) adds over kernel: " + parts.joined(separator: "; ") + ".")
        }
        // Many intervals at 95 %: some exclude zero by chance alone; say how many would.
        if all.count >= 4 {
            let excluding = all.filter(\.added.excludesZero).count
            out.append("Of the \(all.count) pair intervals above, \(excluding) \(excluding == 1 ? "excludes" : "exclude") zero; at 95 % about "
                + String(format: "%.1f", Double(all.count) * 0.05) + " would by chance alone, so a single one is weak evidence.")
        }
        if let f = fidelity(rows) { out.append(f) }
        return out
    }

    /// Signed, one decimal below 10, whole above (the kernel rows' noise is ns, not tenths).
    static func compact(_ v: Double) -> String {
        (v >= 0 ? "+" : "−") + (abs(v) >= 10 ? String(format: "%.0f", abs(v)) : String(format: "%.1f", abs(v)))
    }
    static func signed(_ v: Double) -> String { (v >= 0 ? "+" : "−") + ResultCell.format(abs(v)) }
    static func pct(_ v: Double) -> String { (v >= 0 ? "+" : "−") + ResultCell.format(abs(v)) + " %" }
}
