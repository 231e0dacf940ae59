/// The workloads by name, for the CLI, the rows and the reports: one set for the model and the
/// kernel (which implements all but larson as BPF programs).
public enum WorkloadKind: String, CaseIterable, Sendable {
    /// Model: alloc then free on one CPU. Kernel: new + drop (kernel), update + delete
    /// (kernel-htab), the empty step (harness).
    case pair
    /// 256 allocs then 256 frees on one CPU. Kernel: N objects stashed into __kptr slots (or N
    /// keys inserted), then exchanged out and dropped (deleted); alloc and free timed separately.
    case batch
    /// Alloc on one CPU, free on the next. Kernel: worker 2j stashes (inserts) a bank, worker
    /// 2j+1 exchanges out and drops (deletes) it: the real cross-CPU free.
    case remote
    /// A new object into a random shared slot, the old value freed.
    case kptrXchg = "kptr-xchg"
    /// Random sizes and lifetimes (model only).
    case larson

    public var summary: String {
        switch self {
        case .pair: return "alloc then free the same object on the same CPU (the fast path)"
        case .batch: return "alloc 256 then free 256 on one CPU: crosses the refill/drain watermarks"
        case .remote: return "alloc on one CPU, free on the next CPU through an SPSC ring (cross-CPU frees)"
        case .kptrXchg: return "alloc, kptr_xchg into a shared map slot, free the old value (what BPF programs do)"
        case .larson: return "random sizes and lifetimes in a slot array; 1/16 of objects freed by another CPU"
        }
    }

    /// The ops the rows of this workload report, model and kernel alike.
    public var ops: [Op] {
        switch self {
        case .batch: return [.alloc, .free]
        default: return [.pair]
        }
    }

    /// The ops a kernel case of this workload times: as `ops`, except remote, whose stash and
    /// drop run on different workers and are timed apart before they make the pair.
    public var kernelOps: [Op] { self == .remote ? [.alloc, .free, .pair] : ops }

    /// The workloads the kernel's BPF programs implement, in the order kernel-bench runs them.
    public static let kernelCases: [WorkloadKind] = [.pair, .batch, .kptrXchg, .remote]
    public var hasKernelProgram: Bool { self != .larson }
}
