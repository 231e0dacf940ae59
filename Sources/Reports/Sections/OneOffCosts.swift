import Results
import Statistics

/// The one-off costs of a per-program allocator's end — the kill as its caller pays it, the
/// unload walk per map value, the grace period no caller pays — from the kernel's rows wherever
/// the run has them: the model's kill (1 µs of user-space flags and a queued switch) is not
/// what the kernel pays (0.02–0.13 µs). The model's figure appears only where the kernel has
/// none, labelled as the model's. (Creating one is in `OwnershipSection`.)
struct OneOffCosts {
    /// Where a figure comes from: the kernel policies, or the model standing in for them.
    struct Side {
        let killers: [String]
        let percpuRef: String
        let walkers: [String]
        let label: String

        static let kernel = Side(killers: ["kernel-atomic", "kernel-percpu-ref"], percpuRef: "kernel-percpu-ref",
                                 walkers: ["kernel-lazy", "kernel-hybrid"], label: "")
        static let model = Side(killers: ["atomic", "percpu-ref"], percpuRef: "percpu-ref", walkers: WalkCost.walkers,
                                label: " (the model's)")
    }

    let samples: Samples
    let rows: [ResultRow]
    let t: Int
    let size: Int
    let kernelGraceMicroseconds: [Double]

    func killMicroseconds(_ s: String) -> [Double] { samples.values(s, .pair, .kill, .kill, t, size, metric: .latencyUs) }

    /// The side whose rows have the figure: the kernel's first.
    func side(_ has: (Side) -> Bool) -> Side? { [Side.kernel, .model].first(where: has) }

    /// "the kill as its caller pays it 0.019 µs (kernel-atomic), 0.131 µs (kernel-percpu-ref)".
    func killClause() -> String? {
        guard let s = side({ s in s.killers.contains { !killMicroseconds($0).isEmpty } }) else { return nil }
        let parts = s.killers.compactMap { k -> String? in
            let v = killMicroseconds(k)
            return v.isEmpty ? nil : "\(ResultCell.format(Effect.median(v))) µs (\(k))"
        }
        return "the kill as its caller pays it\(s.label) " + parts.joined(separator: ", ")
    }

    /// The walk per value and where it overtakes percpu-ref's kill (both from one side when it can).
    func walkClause() -> String? {
        guard let s = side({ WalkCost(rows: rows, walkers: $0.walkers) != nil }), let walk = WalkCost(rows: rows, walkers: s.walkers)
        else { return nil }
        var kill = killMicroseconds(s.percpuRef)
        var killer = s.percpuRef
        if kill.isEmpty, let other = [Side.kernel, .model].first(where: { !killMicroseconds($0.percpuRef).isEmpty }) {
            kill = killMicroseconds(other.percpuRef)
            killer = other.percpuRef
        }
        let (slope, even) = walk.intervals(killNs: kill.map { $0 * 1000 })
        let sizes = walk.mapSizes
        var text = "the unload walk\(s.label) \(RunFindings.number(slope.ratio)) ns per map value [\(RunFindings.number(slope.low)), "
            + "\(RunFindings.number(slope.high))] (\(walk.strategy), "
            + (sizes.count > 1 ? "fitted over \(sizes.count) map sizes)" : "at \(Int(sizes[0])) values)")
        if let even {
            text += ", more than \(killer)'s kill from about \(Int(even.ratio.rounded())) map values "
                + "[\(Int(even.low.rounded())), \(Int(even.high.rounded()))]"
        }
        return text
    }

    /// The grace period before atomic mode is confirmed, which no caller waits for.
    func graceClause() -> String? {
        let kernel = samples.values(Side.kernel.percpuRef, .pair, .kill, .grace, t, size, metric: .latencyUs)
        if !kernel.isEmpty {
            return "the grace period before atomic mode \(ResultCell.format(Effect.median(kernel) / 1000)) ms (kernel-percpu-ref, "
                + "synchronize_rcu through membarrier), paid by no caller"
        }
        if !kernelGraceMicroseconds.isEmpty {
            return "this kernel's grace period \(ResultCell.format(Effect.median(kernelGraceMicroseconds) / 1000)) ms (membarrier), paid by no caller"
        }
        let model = samples.values(Side.model.percpuRef, .pair, .kill, .grace, t, size, metric: .latencyUs)
        return model.isEmpty ? nil
            : "the grace period (the model's: liburcu QSBR) \(ResultCell.format(Effect.median(model))) µs, paid by no caller"
    }

    /// The finding, nil when the run has none of these.
    var finding: String? {
        let clauses = [killClause(), walkClause(), graceClause()].compactMap { $0 }
        guard !clauses.isEmpty else { return nil }
        let kernel = !killMicroseconds("kernel-percpu-ref").isEmpty || !killMicroseconds("kernel-atomic").isEmpty
        return "One-off costs\(kernel ? " in the kernel" : "") (\(t) thr, median): " + clauses.joined(separator: "; ") + "."
    }
}
