import KernelAllocator
import Results

/// The rows of a kernel policy subject after its live phase (the phases of issue 17 in the
/// kernel): `kill` (the kill's own instructions in the BPF program), `grace` (the real kernel
/// grace period, membarrier → synchronize_rcu), `fold`, `walk` (+ `map_values`) in phase
/// `kill`; `post-kill` `free` (every worker frees its stripe at once, each paying the put);
/// `drain` `drain` (one thread frees the rest: the map free). hybrid's kill, grace and fold run
/// at the map free (its kill is delayed while used_allocators holds the allocator); they are
/// still `kill`-phase rows.
extension RowBuilder {
    func kernelPolicyRows(_ r: KernelLifecycleResult, threads: Int) -> [ResultRow] {
        var out: [ResultRow] = []
        func us(_ op: Op, _ ns: Double?, _ missing: String) {
            out.append(row(.kill, op, .latencyUs, ns.map { $0 / 1000 }, ns == nil ? "n/a: \(missing)" : "us"))
        }
        us(.kill, r.killNs, "no kill step")
        us(.grace, r.graceNs.map(Double.init), "no grace period in this policy")
        us(.fold, r.foldNs, "no per-CPU counts to fold")
        us(.walk, r.walkNs, "no unload walk in this policy")
        if r.walkNs != nil { out.append(row(.kill, .walk, .mapValues, Double(r.walkValues), "values")) }
        out += throughput(.postKill, .free, ops: r.postKill.freeOps, ns: r.postKill.freeNs, workers: threads)
        out += throughput(.drain, .drain, ops: r.drain.freeOps, ns: r.drain.freeNs, workers: 1)
        out.append(row(.teardown, .teardown, .outstanding, Double(r.final.count), "objects"))
        return out
    }
}
