import Results
import Statistics

/// The kernel's own refcounts (phase `native`): the headline answer to "once killed it
/// downgrades to atomic, which will kill performance", from lib/percpu-refcount.c itself (a
/// child cgroup's `self` css, killed by rmdir) and `struct bpf_refcount` (refcount_t per
/// object), each over an empty step of the same object in the same rounds. Native code; the
/// `kernel-*` policy rows are BPF emulations, and the calibration line sets one beside the other.
public enum NativeRefsSection {
    public static let percpuRef = "kernel-native-percpu-ref"
    public static let refcount = "kernel-refcount"
    /// The same object's empty step (the control of every native row).
    public static let empty = "kernel-native-empty"
    /// The BPF emulations measured in the native css rounds (strategies.bpf.c's `pcpu_acct`,
    /// `atomic_acct`), each over its own object's `lazy_acct` (strategy `kernel-lazy`).
    public static let emulatedPercpuRef = "kernel-percpu-ref"
    public static let emulatedAtomic = "kernel-atomic"
    public static let emulatedControl = "kernel-lazy"

    public static let title = "the kernel's own refcounts (native code, not emulated): ns added over an empty step of the same object, same rounds"

    static func units(_ rows: [ResultRow], _ subject: String, _ op: Op, _ threads: Int, metric: Metric = .addedNs) -> [Int: Double] {
        var out: [Int: Double] = [:]
        for r in rows where r.phase == .native && r.strategy == subject && r.op == op && r.threads == threads && r.metric == metric {
            if let v = r.value { out[r.repetition] = v }
        }
        return out
    }

    static func median(_ rows: [ResultRow], _ subject: String, _ op: Op, _ threads: Int, metric: Metric = .nsPerOp) -> Double? {
        let v = rows.filter { $0.phase == .native && $0.strategy == subject && $0.op == op && $0.threads == threads && $0.metric == metric }
            .compactMap(\.value)
        return v.isEmpty ? nil : Effect.median(v)
    }

    /// What the kill adds to one get+put at `threads`: killed − live, paired by block (one
    /// cgroup and one load per block).
    static func killPenalty(_ rows: [ResultRow], threads: Int, subject: String = percpuRef) -> MedianInterval.Result? {
        let live = units(rows, subject, .getPutLive, threads), killed = units(rows, subject, .getPutKilled, threads)
        let blocks = Set(live.keys).intersection(killed.keys).sorted()
        return MedianInterval.interval(blocks.map { killed[$0]! - live[$0]! })
    }

    /// CPU counts of the native rows (the emulations' rows in phase native are not counted).
    static func threadCounts(_ rows: [ResultRow]) -> [Int] {
        Set(rows.filter { $0.phase == .native && $0.metric == Metric.addedNs && isNative($0.strategy) }.map(\.threads)).sorted()
    }

    static func isNative(_ strategy: String) -> Bool { strategy == percpuRef || strategy == refcount }

    /// "+40.0 [+39.5,+40.4]", or why there is no number.
    static func text(_ r: MedianInterval.Result?) -> String {
        guard let r else { return "—" }
        return KernelStrategiesSection.intervalText(r)
    }

    public static func tables(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let threads = threadCounts(rows)
        guard !threads.isEmpty else { return [] }
        let blocks = Set(rows.filter { $0.phase == .native && $0.metric == Metric.addedNs && isNative($0.strategy) }.map(\.repetition)).count
        var out: [[String]] = []
        for t in threads {
            for (label, op) in [("live", Op.getPutLive), ("killed", Op.getPutKilled)] {
                let u = units(rows, percpuRef, op, t)
                guard !u.isEmpty else { continue }
                out.append(["percpu_ref", "get+put \(label)", "\(t)", ns(median(rows, percpuRef, op, t)),
                            text(MedianInterval.interval(Array(u.values)))])
            }
            if let p = killPenalty(rows, threads: t) { out.append(["percpu_ref", "killed − live", "\(t)", "—", text(p)]) }
        }
        for t in threads {
            let u = units(rows, refcount, .sharedGetPut, t)
            if !u.isEmpty {
                out.append(["refcount_t", "shared get+put", "\(t)", ns(median(rows, refcount, .sharedGetPut, t)), text(MedianInterval.interval(Array(u.values)))])
            }
        }
        let pair = units(rows, refcount, .pair, 1)
        if !pair.isEmpty {
            out.append(["refcount_t", "new+get+2 drops", "1", ns(median(rows, refcount, .pair, 1)), text(MedianInterval.interval(Array(pair.values)))])
        }
        let title = title + "; units: \(blocks) blocks, each a fresh load and a fresh cgroup"
        return [ReportSections.Table(title: title, header: ["ref", "op", "thr", "ns/op", "+ns [95 % CI]"], rows: out)]
            + sameRoundsTable(rows, threads) + latencyTable(rows) + pairLatencyTable(rows)
    }

    static func ns(_ v: Double?) -> String { v.map { ResultCell.format($0) } ?? "—" }
}
