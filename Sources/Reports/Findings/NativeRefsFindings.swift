import Results
import Statistics

/// The native rows in words, first among the kernel's findings: percpu_ref live against
/// killed, the kill's cost and when atomic mode is in effect, what 2 CPUs cannot show (as a
/// projection), the emulations beside native, and the refcount per object.
extension NativeRefsSection {
    public static func findings(_ rows: [ResultRow]) -> [String] {
        let threads = threadCounts(rows)
        guard !threads.isEmpty else {
            let na = rows.first { $0.phase == .native && $0.value == nil }
            return na.map { ["The kernel's own percpu_ref and refcount_t: not measured here (\($0.unit))."] } ?? []
        }
        let rest = [calibration(rows, threads), tails(rows, threads), perObject(rows, threads)].compactMap { $0 }
        return [headline(rows, threads), rest.isEmpty ? nil : rest.joined(separator: " ")].compactMap { $0 }
    }

    static func added(_ rows: [ResultRow], _ subject: String, _ op: Op, _ t: Int) -> MedianInterval.Result? {
        let u = units(rows, subject, op, t)
        return u.isEmpty ? nil : MedianInterval.interval(Array(u.values))
    }

    static func phrase(_ r: MedianInterval.Result?) -> String { text(r) + " ns" }

    /// "will kill performance", answered by lib/percpu-refcount.c itself.
    static func headline(_ rows: [ResultRow], _ threads: [Int]) -> String? {
        var parts = threads.map { t in
            "\(t) CPU\(t == 1 ? "" : "s")\(t > 1 ? " sharing it" : ""): live \(phrase(added(rows, percpuRef, .getPutLive, t))), "
                + "killed \(phrase(added(rows, percpuRef, .getPutKilled, t))), so the kill adds \(phrase(killPenalty(rows, threads: t)))"
        }
        if let rmdir = median(rows, percpuRef, .kill, 1, metric: .latencyUs), let atomic = median(rows, percpuRef, .atomicSwitch, 1, metric: .latencyUs) {
            parts.append("the kill (rmdir) costs its caller \(ResultCell.format(rmdir)) µs and atomic mode is in effect "
                + "\(ResultCell.format(atomic / 1000)) ms later (seen from the ref's state: its count folded)")
        }
        if let t = threads.last, !latencyValue(rows, percpuRef, .getPutLive, t, .p99Ns).isEmpty {
            parts.append("timed op by op at \(t) CPU\(t == 1 ? "" : "s"), p99 \(latencyValue(rows, percpuRef, .getPutLive, t, .p99Ns)) ns live and "
                + "\(latencyValue(rows, percpuRef, .getPutKilled, t, .p99Ns)) ns killed (the clock alone p50 \(latencyValue(rows, empty, .getPutLive, t, .p50Ns)))")
        }
        guard !parts.isEmpty else { return nil }
        return "The kernel's own percpu_ref (a cgroup's css, lib/percpu-refcount.c), get+put over an empty step: " + parts.joined(separator: "; ") + "."
    }

    /// Beyond the 2 CPUs here, a projection (the run's projection claim when native rows exist): a killed ref is one shared line, touched twice per
    /// object's life (get and put); t from this run's own 1 → 2 CPU step of the killed ref.
    public static func projection(_ rows: [ResultRow]) -> String? {
        guard !threadCounts(rows).isEmpty else { return nil }
        guard let k1 = added(rows, percpuRef, .getPutKilled, 1)?.estimate, let k2 = added(rows, percpuRef, .getPutKilled, 2)?.estimate, k2 > k1,
              let pair = KernelStrategiesSection.cells(rows).first(where: { $0.workload == "pair" && $0.op == .pair && $0.kernelNs != nil })?.kernelNs
        else { return "Beyond 2 CPUs this machine cannot show the killed ref's curve." }
        let t = (k2 - k1) / 2
        let touch = (pair + (median(rows, percpuRef, .getPutKilled, 1) ?? 0)) / 2
        let here = ContentionProjection.saturationCPUs(touchIntervalNs: touch, transferNs: t)
        let far = ContentionProjection.perfbookTransfers.map { p in
            "\(String(format: "%.0f", ContentionProjection.saturationCPUs(touchIntervalNs: touch, transferNs: p.ns))) \(p.label) (t \(ResultCell.format(p.ns)) ns, perfbook)"
        }
        return "Beyond 2 CPUs (a projection, not measured): a killed ref is one line touched by every get and put. With one "
            + "bpf_obj_new+drop pair (\(String(format: "%.0f", pair)) ns) between an object's get and put, a touch every "
            + "\(String(format: "%.0f", touch)) ns per CPU, and t = \(ResultCell.format(t)) ns per transfer (this run's killed get+put, 1 → 2 CPUs), "
            + "the line saturates near N* ≈ \(String(format: "%.0f", here)) CPUs; \(far.joined(separator: ", ")). "
            + "Past N* every get and put waits for the line and the machine's total is capped near 1/t."
    }

    /// The BPF emulations beside native: from the same rounds when the run has them, else
    /// (saved runs from before) from different rounds and objects, each over its own object's
    /// empty step, where what the kill adds to a get+put is the comparable figure.
    static func calibration(_ rows: [ResultRow], _ threads: [Int]) -> String? {
        if let same = sameRoundsCalibration(rows, threads) { return same }
        let cells = KernelStrategiesSection.cells(rows).filter { $0.workload == "pair" && $0.op == .acct }
        func emulated(_ subject: String, _ t: Int) -> Double? { cells.first { $0.subject == subject && $0.threads == t }?.added.estimate }
        let parts = threads.compactMap { t -> String? in
            guard let atomic = emulated("kernel-atomic", t), let pcpu = emulated("kernel-percpu-ref", t), let native = killPenalty(rows, threads: t)
            else { return nil }
            return "\(t) CPU\(t == 1 ? "" : "s"): native \(phrase(native)), emulated (kernel-atomic's accounting − kernel-percpu-ref's) "
                + "\(KernelStrategiesSection.compact(atomic - pcpu)) ns"
        }
        guard !parts.isEmpty else { return nil }
        let live = threads.first.flatMap { t in
            emulated("kernel-percpu-ref", t).map { e in
                "; live, the emulated get+put adds \(KernelStrategiesSection.compact(e)) ns where native adds \(phrase(added(rows, percpuRef, .getPutLive, t))), "
                    + "which also holds two kfunc calls and cgroup_tryget's RCU read side and flag test"
            }
        } ?? ""
        return "Emulation against native (different objects and rounds, each over its own empty step), what the kill adds to a get+put: "
            + parts.joined(separator: "; ") + live + "."
    }

    /// struct bpf_refcount: a refcount per object, which none of the thread's answers proposed.
    static func perObject(_ rows: [ResultRow], _ threads: [Int]) -> String? {
        guard let pair = added(rows, refcount, .pair, 1) else { return nil }
        let shared = threads.compactMap { t in added(rows, refcount, .sharedGetPut, t).map { "\(t) CPU\(t == 1 ? "" : "s") \(phrase($0))" } }
        return "The kernel's refcount_t per object (struct bpf_refcount: a count per object, not a count per allocator): "
            + "new + acquire + 2 drops costs \(phrase(pair)) over new + drop"
            + (shared.isEmpty ? "" : "; acquire + drop on one object shared by every CPU: " + shared.joined(separator: ", ")) + "."
    }
}
