import Results
import Statistics

/// The thread's question in tails, with intervals over blocks: each block (a fresh load and a
/// fresh cgroup) gives its own p99 of the get+puts timed in the kernel (`block_p99_ns`); the
/// finding is the median over blocks with the sign test's interval, and how many blocks moved
/// which way. A p99 is a bucket's upper bound (25 % wide), so a shift smaller than a bucket
/// reads as ties, not as a difference.
extension NativeRefsSection {
    static func blockP99(_ rows: [ResultRow], _ subject: String, _ op: Op, _ t: Int) -> [Int: Double] {
        units(rows, subject, op, t, metric: .blockP99Ns)
    }

    /// "≤224 [≤192, ≤256]" (median of the blocks' p99 and its 95 % interval over blocks).
    static func p99Text(_ v: [Int: Double]) -> String {
        switch MedianInterval.interval(Array(v.values)) {
        case .interval(let a)?:
            "≤\(ResultCell.format(a.added)) [≤\(ResultCell.format(a.low)), ≤\(ResultCell.format(a.high))]"
        case .tooFewUnits(let e, let n)?: "≤\(ResultCell.format(e)) (n=\(n))"
        case nil: "—"
        }
    }

    /// "higher in 11 of 12 blocks, lower in 0 (sign test p 0.001)", paired by block.
    static func signText(_ a: [Int: Double], over b: [Int: Double], higher: String) -> String {
        let paired = a.keys.filter { b[$0] != nil }
        let above = paired.filter { a[$0]! > b[$0]! }.count, below = paired.filter { a[$0]! < b[$0]! }.count
        let p = MedianInterval.signTestP(above: above, below: below)
        return "\(higher) in \(above) of \(paired.count) blocks, lower in \(below) (sign test p \(ResultCell.format(p)))"
    }

    /// percpu_ref's p99 get+put killed against live (native), and the emulated percpu_ref's
    /// killed against the emulated atomic's (the same object), at the most CPUs.
    static func tails(_ rows: [ResultRow], _ threads: [Int]) -> String? {
        guard let t = threads.last else { return nil }
        let live = blockP99(rows, percpuRef, .getPutLive, t), killed = blockP99(rows, percpuRef, .getPutKilled, t)
        guard !live.isEmpty, !killed.isEmpty else { return nil }
        let cpus = "\(t) CPU\(t == 1 ? "" : "s")"
        var s = "In tails (each block's own p99 of the get+puts timed in the kernel, median [95 % interval over \(live.count) blocks]), "
            + "at \(cpus): the kernel's percpu_ref p99 \(p99Text(live)) ns live and \(p99Text(killed)) ns killed, "
            + signText(killed, over: live, higher: "killed higher")
        let pcpu = blockP99(rows, emulatedPercpuRef, .getPutKilled, t), atomic = blockP99(rows, emulatedAtomic, .getPutKilled, t)
        let atomicLive = blockP99(rows, emulatedAtomic, .getPutLive, t)
        if !pcpu.isEmpty, !atomic.isEmpty {
            s += "; killed, the emulated percpu_ref \(p99Text(pcpu)) ns against the emulated atomic's \(p99Text(atomic)) ns "
                + "(one object: after the percpu_ref's kill both count on the same word, so atomic's killed rows are its "
                + "state beside a killed percpu_ref, not a kill of its own), " + signText(pcpu, over: atomic, higher: "percpu_ref higher")
            if !atomicLive.isEmpty { s += "; the emulated atomic live \(p99Text(atomicLive)) ns" }
        }
        let drop = [(emulatedPercpuRef, "the emulated percpu_ref"), (emulatedAtomic, "the emulated atomic"), (emulatedControl, "the allocator's drop alone (lazy)")]
            .compactMap { subject, label -> String? in
                let killed = latencyValue(rows, subject, .dropPutKilled, t, .p99Ns), live = latencyValue(rows, subject, .dropPutLive, t, .p99Ns)
                return killed.isEmpty || live.isEmpty ? nil : "\(label) \(live) live, \(killed) killed"
            }
        if !drop.isEmpty { s += "; around bpf_global_ma, bpf_obj_drop + put p99 (all blocks merged): " + drop.joined(separator: ", ") }
        let shared = blockP99(rows, refcount, .sharedGetPut, t)
        if !shared.isEmpty { s += "; the kernel's refcount_t on one object all \(t) CPUs acquire and drop: p99 \(p99Text(shared)) ns" }
        return s + "."
    }
}
