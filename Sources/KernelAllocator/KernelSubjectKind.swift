/// The kernel's own allocator as a measured subject (DESIGN.md "Kernel").
public enum KernelSubjectKind: String, CaseIterable, Sendable {
    /// Upstream's landed design: bpf_global_ma through the bpf_obj_new / bpf_obj_drop kfuncs.
    case kernel
    /// A BPF_F_NO_PREALLOC hash map's own bpf_mem_alloc: a per-map allocator.
    case kernelHtab = "kernel-htab"
    /// The harness alone: an empty bpf_loop run the same way (the kernel's `noop`).
    case kernelHarness = "kernel-harness"

    public var summary: String {
        switch self {
        case .kernel: return "the running kernel's bpf_global_ma via bpf_obj_new/bpf_obj_drop (BPF_PROG_TEST_RUN, ground truth)"
        case .kernelHtab: return "the running kernel's no-prealloc hash map allocator: update + delete (ground truth)"
        case .kernelHarness: return "an empty bpf_loop run like the kernel rows: the kernel harness cost per iteration"
        }
    }

    /// Workloads with the model's names that this subject can run.
    public var workloads: [KernelWorkload] {
        switch self {
        case .kernel: return [.pair, .batch, .kptrXchg, .remote]
        case .kernelHtab: return [.pair, .batch, .remote]
        case .kernelHarness: return [.pair]
        }
    }

    /// Why `workload` has no kernel row for this subject, or nil when it has one.
    public func unsupported(_ workload: KernelWorkload, threads: Int) -> String? {
        if !workloads.contains(workload) {
            switch self {
            case .kernelHtab: return "a hash map has no kptr slots to exchange"
            case .kernelHarness: return "the harness row is measured with pair only"
            case .kernel: return "not a kernel workload"
            }
        }
        if workload == .remote && (threads < 2 || threads % 2 != 0) {
            return "remote needs an even number of workers (one stashes, the next frees)"
        }
        return nil
    }
}

/// The model's workload names, as the kernel programs implement them.
public enum KernelWorkload: String, CaseIterable, Sendable {
    /// new + drop (kernel), update + delete (kernel-htab), empty step (harness).
    case pair
    /// N objects stashed into __kptr slots (or N keys inserted), then exchanged out and dropped
    /// (deleted); alloc and free timed separately.
    case batch
    /// A new object into a random shared slot, the old value dropped.
    case kptrXchg = "kptr-xchg"
    /// Worker 2j stashes (inserts) a bank, worker 2j+1 exchanges out and drops (deletes) it:
    /// the real cross-CPU free.
    case remote

    /// The ops a result of this workload reports (the model's RowBuilder names).
    public var ops: [String] {
        switch self {
        case .pair, .kptrXchg: return ["pair"]
        case .batch: return ["alloc", "free"]
        case .remote: return ["alloc", "free", "pair"]
        }
    }
}
