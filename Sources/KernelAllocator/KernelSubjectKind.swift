import Results
/// The kernel's own allocator as a measured subject (README "Ground truth: the kernel's own allocator, in the same run").
public enum KernelSubjectKind: String, CaseIterable, Sendable {
    /// Upstream's landed design: bpf_global_ma through the bpf_obj_new / bpf_obj_drop kfuncs.
    case kernel
    /// A BPF_F_NO_PREALLOC hash map's own bpf_mem_alloc: a per-map allocator.
    case kernelHtab = "kernel-htab"
    /// The harness alone: an empty bpf_loop run the same way (the kernel's `noop`).
    case kernelHarness = "kernel-harness"
    /// The lifetime policies, each one's accounting done by the BPF program around
    /// bpf_global_ma (bpf/strategies.bpf.c): one shared atomic count,
    case kernelAtomic = "kernel-atomic"
    /// percpu_ref (per-CPU slot while live; kill, real RCU grace period, fold),
    case kernelPercpuRef = "kernel-percpu-ref"
    /// no per-op count: the unload walk collects used allocators,
    case kernelLazy = "kernel-lazy"
    /// percpu_ref per object with the kill delayed while the walk's set holds the allocator.
    case kernelHybrid = "kernel-hybrid"

    public var summary: String {
        switch self {
        case .kernel: return "the running kernel's bpf_global_ma via bpf_obj_new/bpf_obj_drop (BPF_PROG_TEST_RUN, ground truth)"
        case .kernelHtab: return "the running kernel's no-prealloc hash map allocator: update + delete (ground truth)"
        case .kernelHarness: return "an empty bpf_loop run like the kernel rows: the kernel harness cost per iteration"
        case .kernelAtomic: return "bpf_global_ma + one shared 64-bit count (lock add / lock xadd) in the BPF program"
        case .kernelPercpuRef: return "bpf_global_ma + percpu_ref in the BPF program: per-CPU slot, kill, membarrier grace period, fold"
        case .kernelLazy: return "bpf_global_ma, no per-op count; the unload walk (bpf_for_each_map_elem) collects used allocators"
        case .kernelHybrid: return "bpf_global_ma + percpu_ref, kill delayed while the walk's used set holds the allocator"
        }
    }

    /// The model strategy this subject runs in the kernel (nil: a reference subject).
    public var modelStrategy: String? {
        switch self {
        case .kernelAtomic: return "atomic"
        case .kernelPercpuRef: return "percpu-ref"
        case .kernelLazy: return "lazy"
        case .kernelHybrid: return "hybrid"
        default: return nil
        }
    }

    /// The lifetime policy's programs in strategies.bpf.c (nil: not a policy subject).
    public var policy: KernelPolicy? {
        switch self {
        case .kernelAtomic: return .atomic
        case .kernelPercpuRef: return .percpuRef
        case .kernelLazy: return .lazy
        case .kernelHybrid: return .hybrid
        default: return nil
        }
    }

    /// Workloads with the model's names that this subject can run.
    public var workloads: [WorkloadKind] {
        switch self {
        case .kernel, .kernelAtomic, .kernelPercpuRef, .kernelLazy, .kernelHybrid: return [.pair, .batch, .kptrXchg, .remote]
        case .kernelHtab: return [.pair, .batch, .remote]
        case .kernelHarness: return [.pair]
        }
    }

    /// Why `workload` has no kernel row for this subject, or nil when it has one.
    public func unsupported(_ workload: WorkloadKind, threads: Int) -> String? {
        if !workloads.contains(workload) {
            switch self {
            case .kernelHtab: return "a hash map has no kptr slots to exchange"
            case .kernelHarness: return "the harness row is measured with pair only"
            default: return "not a kernel workload"
            }
        }
        if workload == .remote && (threads < 2 || threads % 2 != 0) {
            return "remote needs an even number of workers (one stashes, the next frees)"
        }
        return nil
    }
}

