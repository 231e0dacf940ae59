import Results
/// What every subject of an interleaved block runs in its slice, and what it times.
public enum InterleavedStep: String, Sendable, CaseIterable {
    /// bpf_obj_new + get + bpf_obj_drop + put (`<p>_pair`; `kernel`: obj_pair).
    case pair
    /// get + put alone, no allocator (`<p>_acct`): the only place 2 CPUs contend on the count
    /// without ~400 ns of allocator between two touches. Policies only.
    case accounting
    /// k stashes into __kptr slots timed as alloc, then their k exchanges out and drops timed
    /// as free (`<p>_stash`/`<p>_unstash`; `kernel`: obj_slots).
    case batch
    /// A new object into a random shared slot, the old one dropped (`<p>_xchg`; `kernel`:
    /// obj_slots' xchg_random). The slots are drained after the block.
    case kptrXchg = "kptr-xchg"
    /// Worker 2j stashes a bank of k objects while worker 2j+1 exchanges out and drops the
    /// bank stashed the round before (`<p>_stash`/`<p>_unstash`; `kernel`: obj_slots): every
    /// object is allocated on one CPU and freed on the other. The op is one object's life, the
    /// producer's ns per stash plus the consumer's ns per drop. Even worker counts only.
    case remote

    /// The kernel case whose object and programs the step runs.
    public var caseWorkload: WorkloadKind {
        switch self {
        case .pair, .accounting: .pair
        case .batch: .batch
        case .kptrXchg: .kptrXchg
        case .remote: .remote
        }
    }

    /// The rows' op names, in the order `InterleavedRounds.values` holds them.
    public var ops: [Op] {
        switch self {
        case .pair, .kptrXchg, .remote: [.pair]
        case .accounting: [.acct]
        case .batch: [.alloc, .free]
        }
    }

    /// Whether `subject` has this step: the accounting alone exists for policies only.
    public func runs(_ subject: KernelSubjectKind) -> Bool {
        switch subject {
        case .kernel: self != .accounting
        case .kernelHtab, .kernelHarness: false
        default: subject.policy != nil
        }
    }

    /// bpf_loop steps per BPF_PROG_TEST_RUN: the accounting's steps take 1–50 ns, so 16× more
    /// per run keep the syscall's ~1 µs at a fraction of a ns per op.
    public func opsPerRun(_ k: Int) -> Int { self == .accounting ? 16 * k : k }
}

/// One block's rounds: ns/op per op, round and subject (`values[op][round][subject]`), the
/// warm-up round dropped.
public struct InterleavedRounds: Sendable {
    /// The subjects that ran the step, in `values`' order.
    public let subjects: [KernelSubjectKind]
    public let ops: [Op]
    public var values: [[[Double]]]

    /// The rounds in which every subject completed work in every op (a NaN slice drops its
    /// whole round, so the rounds stay paired).
    public var completed: InterleavedRounds {
        let keep = (0..<roundCount).filter { r in values.allSatisfy { $0[r].allSatisfy(\.isFinite) } }
        return InterleavedRounds(subjects: subjects, ops: ops, values: values.map { table in keep.map { table[$0] } })
    }

    public var roundCount: Int { values.first?.count ?? 0 }

    /// Appends another run's rounds.
    public mutating func append(_ more: InterleavedRounds) {
        for i in values.indices { values[i] += more.values[i] }
    }
}
