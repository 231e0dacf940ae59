/// The programs, maps and globals of every BPF object, by the names the C sources give them.
/// `BPFTablesTests` checks each entry against the compiled object.

/// memalloc_bench.h's globals, in every object that includes it.
enum BenchHeaderGlobal: String, CaseIterable {
    /// The per-CPU provenance counters.
    case counters
}

// MARK: strategies.bpf.c: the lifetime policies and their control, one object

public enum StrategiesProgram: String, BPFProgramSymbol {
    case atomicAcct = "atomic_acct", atomicPair = "atomic_pair", atomicStash = "atomic_stash"
    case atomicUnstash = "atomic_unstash", atomicXchg = "atomic_xchg"
    case pcpuAcct = "pcpu_acct", pcpuPair = "pcpu_pair", pcpuStash = "pcpu_stash"
    case pcpuUnstash = "pcpu_unstash", pcpuXchg = "pcpu_xchg"
    case lazyAcct = "lazy_acct", lazyPair = "lazy_pair", lazyStash = "lazy_stash"
    case lazyUnstash = "lazy_unstash", lazyXchg = "lazy_xchg"
    /// percpu_ref_race.bpf.h: a put whose mode check and per-CPU add are cb[2] ns apart.
    case pcpuWidened = "pcpu_widened"
    /// lifecycle.bpf.h
    case reset, kill, fold
    /// walk.bpf.h
    case walkArray = "walk_array", walkHash = "walk_hash", hstash, hunstash
    /// policy_timed.bpf.h: each policy's get+put timed op by op.
    case atomicAcctTimed = "atomic_acct_timed", pcpuAcctTimed = "pcpu_acct_timed", lazyAcctTimed = "lazy_acct_timed"
    /// policy_timed.bpf.h: each policy's new+get and drop+put timed apart around the allocator.
    case atomicPairTimed = "atomic_pair_timed", pcpuPairTimed = "pcpu_pair_timed", lazyPairTimed = "lazy_pair_timed"
    public static var source: BPFSource { .strategies }
}

public enum StrategiesMap: String, BPFMapSymbol {
    case slots, hslots
    /// policy_timed.bpf.h's per-CPU histograms: [atomic, pcpu, lazy][bucket].
    case acctHist = "acct_hist"
    /// policy_timed.bpf.h's per-CPU histograms: [atomic, pcpu, lazy][new+get, drop+put][bucket].
    case pairHist = "pair_hist"
    case pcpuCount = "pcpu_count"
    public static var source: BPFSource { .strategies }
}

public enum StrategiesGlobal: String, BPFGlobalSymbol {
    /// `struct mb_strategy`: the policy's count, mode and timings.
    case strategy
    public static var source: BPFSource { .strategies }
}

// MARK: the reference subjects: kernel, kernel-htab, kernel-harness, the gap's syscall pair

public enum ObjPairProgram: String, BPFProgramSymbol {
    case objPair = "obj_pair"
    public static var source: BPFSource { .objPair }
}

public enum ObjSlotsProgram: String, BPFProgramSymbol {
    case stash, unstash
    case xchgRandom = "xchg_random"
    public static var source: BPFSource { .objSlots }
}

public enum ObjSlotsMap: String, BPFMapSymbol {
    case slots
    public static var source: BPFSource { .objSlots }
}

public enum HtabChurnProgram: String, BPFProgramSymbol {
    case updateDelete = "update_delete", insert, remove
    public static var source: BPFSource { .htabChurn }
}

public enum HtabChurnMap: String, BPFMapSymbol {
    case table
    public static var source: BPFSource { .htabChurn }
}

public enum HarnessProgram: String, BPFProgramSymbol {
    case harness
    public static var source: BPFSource { .harness }
}

public enum ObjPairSyscallProgram: String, BPFProgramSymbol {
    case objPairSyscall = "obj_pair_syscall"
    public static var source: BPFSource { .objPairSyscall }
}

// MARK: native_refs.bpf.c: the kernel's own percpu_ref and refcount_t

public enum NativeRefsProgram: String, BPFProgramSymbol {
    case nrStash = "nr_stash", nrUnstash = "nr_unstash", nrLookup = "nr_lookup", nrMode = "nr_mode"
    case cssGetput = "css_getput", cssEmpty = "css_empty"
    case cssGetputTimed = "css_getput_timed", cssEmptyTimed = "css_empty_timed"
    case rcPair = "rc_pair", plainPair = "plain_pair"
    case rcSharedStash = "rc_shared_stash", rcSharedUnstash = "rc_shared_unstash"
    case rcSharedGetput = "rc_shared_getput", rcSharedEmpty = "rc_shared_empty"
    case rcSharedGetputTimed = "rc_shared_getput_timed", rcSharedEmptyTimed = "rc_shared_empty_timed"
    /// Test-only: a put the loader did not ask for, and a double put the verifier refuses.
    case cssExtraPut = "css_extra_put", cssDoublePut = "css_double_put"
    public static var source: BPFSource { .nativeRefs }
}

public enum NativeRefsMap: String, BPFMapSymbol {
    case nrCgroups = "nr_cgroups", nrShared = "nr_shared"
    public static var source: BPFSource { .nativeRefs }
}

public enum NativeRefsGlobal: String, BPFGlobalSymbol {
    /// The stashed css's mode bits and count.
    case nrState = "nr_state"
    /// The op-by-op latency histograms.
    case nrHist = "nr_hist"
    public static var source: BPFSource { .nativeRefs }
}

// MARK: anatomy.bpf.c: raw tracepoint probes

public enum AnatomyProgram: String, BPFProgramSymbol {
    case onKmalloc = "on_kmalloc", onKfree = "on_kfree", onPageAlloc = "on_page_alloc"
    case onIrqWorkEntry = "on_irq_work_entry", onIrqWorkExit = "on_irq_work_exit"
    case onSoftirqEntry = "on_softirq_entry", onSoftirqExit = "on_softirq_exit"
    /// Not probes: a tc program that times each pair alone (the irq_work's outside cost), and
    /// bpf_timer_init on an unowned map (kmalloc_nolock + kfree_nolock) and on an armed one.
    case timedPair = "timed_pair"
    case timerInitUnowned = "timer_init_unowned", timerInitArmed = "timer_init_armed"
    public static var source: BPFSource { .anatomy }

    /// The raw tracepoint probes (every program but `timedPair`).
    public static var probes: [AnatomyProgram] { allCases.filter { ![.timedPair, .timerInitUnowned, .timerInitArmed].contains($0) } }

    /// The tracepoint its `raw_tp/` section attaches to, as reports name it.
    public var tracepoint: String {
        switch self {
        case .timedPair, .timerInitUnowned, .timerInitArmed: "(BPF_PROG_TEST_RUN)"
        case .onKmalloc: "kmem:kmalloc"
        case .onKfree: "kmem:kfree"
        case .onPageAlloc: "kmem:mm_page_alloc"
        case .onIrqWorkEntry: "irq_vectors:irq_work_entry"
        case .onIrqWorkExit: "irq_vectors:irq_work_exit"
        case .onSoftirqEntry: "irq:softirq_entry"
        case .onSoftirqExit: "irq:softirq_exit"
        }
    }
}

public enum AnatomyMap: String, BPFMapSymbol {
    case anatomyConfig = "anatomy_config"
    case unownedTimer = "unowned_timer", armedTimer = "armed_timer"
    public static var source: BPFSource { .anatomy }
}

public enum AnatomyGlobal: String, BPFGlobalSymbol {
    case anatomy
    /// `timed_pair`'s sums per CPU.
    case timing
    /// bpf_timer_init's calls per return code.
    case timerCounts = "timer_counts"
    public static var source: BPFSource { .anatomy }
}

// MARK: safety.bpf.c: the safety scenarios' programs, run against the real kernel

public enum SafetyProgram: String, BPFProgramSymbol {
    case stash = "sf_stash", takeDrop = "sf_take_drop", holdDrop = "sf_hold_drop", move = "sf_move"
    case count = "sf_count", countInner = "sf_count_inner", mapInMapStash = "sf_mim_stash"
    /// perf_event: one run takes the objects out and drops them, in (hard-)irq context.
    case irqDrain = "sf_irq_drain"
    /// Never autoloaded with the others: loaded alone, to be refused by the verifier.
    case exitHolding = "sf_exit_holding"
    public static var source: BPFSource { .safety }
}

public enum SafetyMap: String, BPFMapSymbol {
    case values, inner, outer
    /// A holding run spins until user space writes 1 here.
    case gate = "sf_gate"
    public static var source: BPFSource { .safety }
}

public enum SafetyGlobal: String, BPFGlobalSymbol {
    /// `struct sf_hold` per CPU: a holding run's start, end and objects held.
    case hold = "sf_hold"
    public static var source: BPFSource { .safety }
}

extension BPFSource {
    /// Every table entry of this object: what `BPFTablesTests` looks for in the compiled file.
    var tables: (programs: [String], maps: [String], globals: [String]) {
        func names<S: BPFSymbol>(_: S.Type) -> [String] { S.allCases.map(\.rawValue) }
        switch self {
        case .strategies: return (names(StrategiesProgram.self), names(StrategiesMap.self), names(StrategiesGlobal.self))
        case .objPair: return (names(ObjPairProgram.self), [], [])
        case .objSlots: return (names(ObjSlotsProgram.self), names(ObjSlotsMap.self), [])
        case .htabChurn: return (names(HtabChurnProgram.self), names(HtabChurnMap.self), [])
        case .harness: return (names(HarnessProgram.self), [], [])
        case .objPairSyscall: return (names(ObjPairSyscallProgram.self), [], [])
        case .nativeRefs: return (names(NativeRefsProgram.self), names(NativeRefsMap.self), names(NativeRefsGlobal.self))
        case .anatomy: return (names(AnatomyProgram.self), names(AnatomyMap.self), names(AnatomyGlobal.self))
        case .safety: return (names(SafetyProgram.self), names(SafetyMap.self), names(SafetyGlobal.self))
        }
    }
}
