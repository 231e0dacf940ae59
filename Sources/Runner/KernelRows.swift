import KernelAllocator
import Results

/// The rows of one kernel repetition, made from what the kernel measured (no model result
/// to patch): the live phase's throughput, the map's teardown as the kernel sees it, and after
/// the kill either a policy's own lifecycle (KernelPolicyRows) or, for subjects with no owner
/// to kill, the after-kill rows as n/a with the reason.
extension RowBuilder {
    func kernelRows(_ kind: KernelSubjectKind, totals: KernelTotals, teardownNs: Int?, lifecycle: KernelLifecycleResult?)
        -> [ResultRow]
    {
        var out = counters(.live, PhaseCounters(kernel: totals), workers: spec.threads)
        if lifecycle == nil {
            out.append(row(.kill, .kill, .latencyUs, nil, "n/a: no owner to kill"))
            for (phase, op) in [(Phase.postKill, Op.free), (.drain, .drain)] {
                out += [row(phase, op, .mops, nil, kind.postKillNote), row(phase, op, .nsPerOp, nil, kind.postKillNote)]
            }
        }
        out.append(teardownNs.map { row(.teardown, .teardown, .latencyUs, Double($0) / 1000, "us") }
            ?? row(.teardown, .teardown, .latencyUs, nil, "n/a: the harness has no map"))
        if let lifecycle {
            out += kernelPolicyRows(lifecycle, threads: spec.threads)
        } else {
            out.append(row(.teardown, .teardown, .outstanding, 0, "objects"))
        }
        if spec.workload == .remote {
            // Beside the object's life (pair): the stash on one CPU and the drop on the other.
            out += throughput(.live, .alloc, ops: totals.allocOps, ns: totals.allocNs, workers: spec.threads / 2)
            out += throughput(.live, .free, ops: totals.freeOps, ns: totals.freeNs, workers: spec.threads / 2)
        }
        return out
    }
}
