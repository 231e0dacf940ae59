import Results
import Statistics

/// Issue 26 item 3 in the report: the BPF emulations (`kernel-percpu-ref`'s and
/// `kernel-atomic`'s get+put, strategies.bpf.c) measured in the same rounds as the native
/// css get+put, each over its own object's empty step, and emulation − native paired within
/// each block's rounds (`over_native_ns`). Rows labelled native or emulated.
extension NativeRefsSection {
    static let sameRoundsTitle = "native beside emulated, same rounds: each over its own object's empty step "
        + "(native css_empty, emulated lazy_acct); − native: paired by round"

    /// The emulated subjects of the same-round rows, with their table names.
    static let emulated: [(subject: String, name: String)] = [(emulatedPercpuRef, "percpu_ref"), (emulatedAtomic, "atomic")]

    static func overNative(_ rows: [ResultRow], _ subject: String, _ op: Op, _ t: Int) -> MedianInterval.Result? {
        let u = units(rows, subject, op, t, metric: Metric.overNativeNs)
        return u.isEmpty ? nil : MedianInterval.interval(Array(u.values))
    }

    static func hasSameRounds(_ rows: [ResultRow]) -> Bool {
        rows.contains { $0.phase == .native && $0.metric == Metric.overNativeNs && $0.value != nil }
    }

    /// Per CPU count and state (live, killed): the native row, then each emulation's.
    static func sameRoundsTable(_ rows: [ResultRow], _ threads: [Int]) -> [ReportSections.Table] {
        guard hasSameRounds(rows) else { return [] }
        var out: [[String]] = []
        for t in threads {
            for (label, op) in [("live", Op.getPutLive), ("killed", Op.getPutKilled)] {
                out.append(["percpu_ref", "\(t)", "native", label, text(added(rows, percpuRef, op, t)), "—"])
                for e in emulated {
                    guard let over = overNative(rows, e.subject, op, t) else { continue }
                    out.append([e.name, "\(t)", "emulated", label, text(added(rows, e.subject, op, t)), text(over)])
                }
            }
        }
        return [ReportSections.Table(title: sameRoundsTitle, header: ["ref", "thr", "code", "state", "+ns [95 % CI]", "− native"], rows: out)]
    }

    /// The calibration in words from the same rounds, or nil without those rows (saved runs
    /// from before them fall back to the different-rounds comparison).
    static func sameRoundsCalibration(_ rows: [ResultRow], _ threads: [Int]) -> String? {
        guard hasSameRounds(rows) else { return nil }
        func cpus(_ t: Int) -> String { "\(t) CPU\(t == 1 ? "" : "s")" }
        let pcpu = threads.compactMap { t -> String? in
            guard let live = overNative(rows, emulatedPercpuRef, .getPutLive, t), let killed = overNative(rows, emulatedPercpuRef, .getPutKilled, t) else { return nil }
            return "\(phrase(live)) (live) and \(phrase(killed)) (killed) at \(cpus(t))"
        }
        let atomic = threads.compactMap { t in overNative(rows, emulatedAtomic, .getPutKilled, t).map { "\(phrase($0)) at \(cpus(t))" } }
        var parts: [String] = []
        if !pcpu.isEmpty { parts.append("the BPF emulation of percpu_ref adds " + pcpu.joined(separator: "; ") + " over lib/percpu-refcount.c") }
        if !atomic.isEmpty { parts.append("kernel-atomic's emulated count adds " + atomic.joined(separator: ", ") + " over the native killed ref's RMW") }
        let kill = threads.compactMap { t -> String? in
            guard let e = killPenalty(rows, threads: t, subject: emulatedPercpuRef), let n = killPenalty(rows, threads: t) else { return nil }
            return "emulated \(phrase(e)) against native \(phrase(n)) at \(cpus(t))"
        }
        if !kill.isEmpty { parts.append("what the kill adds to a get+put (killed − live, paired by block): " + kill.joined(separator: ", ")) }
        guard !parts.isEmpty else { return nil }
        return "Emulation against native, in the same rounds (each over its own object's empty step, paired by round): "
            + parts.joined(separator: "; ") + ". Native's get+put also holds two kfunc calls and cgroup_tryget's RCU read side and flag test."
    }
}
