/// A program of a scenario's BPF shape: what it is, where it attaches, what it calls.
public struct ShapeProgram: Sendable, Equatable {
    /// The name the steps use (`alloc_prog`, `drain`).
    public let name: String
    public let type: ProgramType
    public let attach: AttachPoint
    /// Map names from the shape's `maps`: the program's `used_maps`.
    public let usedMaps: [String]
    public let kfuncs: [Kfunc]
    public let helpers: [Helper]

    public init(name: String, type: ProgramType, attach: AttachPoint, usedMaps: [String], kfuncs: [Kfunc], helpers: [Helper]) {
        self.name = name
        self.type = type
        self.attach = attach
        self.usedMaps = usedMaps
        self.kfuncs = kfuncs
        self.helpers = helpers
    }
}

public enum ProgramType: String, Sendable, Equatable {
    case tracing = "BPF_PROG_TYPE_TRACING"
    case perfEvent = "BPF_PROG_TYPE_PERF_EVENT"
    case schedCls = "BPF_PROG_TYPE_SCHED_CLS"
}

/// Where a program attaches, hence in which context its runs execute.
public enum AttachPoint: Sendable, Equatable, CustomStringConvertible {
    /// fentry on a kernel function: program context, under rcu_read_lock.
    case fentry(function: String)
    /// tc ingress on an interface: softirq, under rcu_read_lock.
    case tcIngress(interface: String)
    /// A hardware perf event whose overflow is an NMI (x86 PMU): each run is inside one NMI.
    case perfEventNMI(event: String)

    public var description: String {
        switch self {
        case .fentry(let f): return "fentry/\(f)"
        case .tcIngress(let i): return "tc ingress on \(i)"
        case .perfEventNMI(let e): return "perf_event \(e) (overflow NMI)"
        }
    }

    /// Whether a run executes in NMI context (no sleeping, no locks).
    public var isNMI: Bool { if case .perfEventNMI = self { return true } else { return false } }
}

/// kfuncs of the 2022 proposal the model replays (today's names in `note`).
public enum Kfunc: String, Sendable, Equatable {
    case objAlloc = "bpf_obj_alloc"
    case objDrop = "bpf_obj_drop"

    public var note: String {
        switch self {
        case .objAlloc: return "bpf_obj_alloc(&alloc_map, size): the thread's proposal; landed as bpf_obj_new, from bpf_global_ma"
        case .objDrop: return "bpf_obj_drop(obj): releases an acquired reference and frees the object"
        }
    }
}

public enum Helper: String, Sendable, Equatable {
    case kptrXchg = "bpf_kptr_xchg"
    case mapLookupElem = "bpf_map_lookup_elem"
}
