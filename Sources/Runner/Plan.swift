import KernelAllocator
import Platform
import Results
import Strategies
import SystemAllocators

/// What a case runs against, by name.
public enum SubjectChoice: Sendable, CustomStringConvertible {
    case strategy(StrategyKind)
    case system(SystemAllocator)
    /// The plain per-CPU free list: the floor for the core.
    case freelist
    /// The harness alone.
    case noop
    /// The running kernel's own allocator (ground truth), through BPF programs.
    case kernel(KernelSubjectKind)

    public var description: String {
        switch self {
        case .strategy(let k): return k.rawValue
        case .system(let a): return a.name
        case .freelist: return "freelist"
        case .noop: return "noop"
        case .kernel(let k): return k.rawValue
        }
    }

    public var summary: String {
        switch self {
        case .strategy(let k): return k.summary
        case .system(let a): return "\(a.name) loaded at run time from \(a.kind.soname): a reference row, no kill"
        case .freelist: return SubjectChoice.freelistSummary
        case .noop: return SubjectChoice.noopSummary
        case .kernel(let k): return k.summary
        }
    }

    public static let freelistSummary = "a plain per-CPU LIFO free list: the floor the core is measured against"
    public static let noopSummary = "the harness alone (returns one pointer, frees nothing): cost per op of the loop"

    /// Workloads this subject runs (the harness only needs the fast-path patterns).
    func runs(_ w: WorkloadKind) -> Bool {
        if case .noop = self { return w == .pair || w == .batch }
        if case .kernel(let k) = self { return k.workloads.contains(w) }
        return true
    }
}

/// The whole run: the matrix of cases and how long to measure each.
public struct Plan: Sendable {
    public var subjects: [SubjectChoice]
    public var workloads: [WorkloadKind]
    public var threads: [Int]
    /// Allowed CPUs in order; a case with t threads pins to the first t.
    public var cpus: [Int]
    public var sizes: [Int]
    public var settings: RunSettings
    public var topology: Topology

    public init(subjects: [SubjectChoice], workloads: [WorkloadKind], threads: [Int], cpus: [Int], sizes: [Int],
                settings: RunSettings, topology: Topology) {
        self.subjects = subjects
        self.workloads = workloads
        self.threads = threads
        self.cpus = cpus
        self.sizes = sizes
        self.settings = settings
        self.topology = topology
    }

    public var cases: [CaseSpec] {
        var out: [CaseSpec] = []
        for size in sizes {
            for s in subjects {
                for w in workloads where s.runs(w) {
                    for t in threads {
                        out.append(CaseSpec(subject: s.description, workload: w, threads: t, cpus: Array(cpus.prefix(t)), size: size))
                    }
                }
            }
        }
        return out
    }

    public func subject(named name: String) -> SubjectChoice? { subjects.first { $0.description == name } }
}

