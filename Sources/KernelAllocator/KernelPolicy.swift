/// A lifetime policy as bpf/strategies.bpf.c runs it around bpf_global_ma: which per-op
/// programs, how its count starts, and what its kill is.
public enum KernelPolicy: String, Sendable, CaseIterable {
    case atomic, percpuRef = "percpu-ref", lazy, hybrid

    /// The policy's program for `op` (policy_programs.bpf.h). Hybrid runs percpu-ref's per-op
    /// code: the two differ only in when the loader kills.
    func program(_ op: PolicyOp) -> StrategiesProgram {
        switch (self, op) {
        case (.atomic, .acct): .atomicAcct
        case (.atomic, .pair): .atomicPair
        case (.atomic, .stash): .atomicStash
        case (.atomic, .unstash): .atomicUnstash
        case (.atomic, .xchg): .atomicXchg
        case (.percpuRef, .acct), (.hybrid, .acct): .pcpuAcct
        case (.percpuRef, .pair), (.hybrid, .pair): .pcpuPair
        case (.percpuRef, .stash), (.hybrid, .stash): .pcpuStash
        case (.percpuRef, .unstash), (.hybrid, .unstash): .pcpuUnstash
        case (.percpuRef, .xchg), (.hybrid, .xchg): .pcpuXchg
        case (.lazy, .acct): .lazyAcct
        case (.lazy, .pair): .lazyPair
        case (.lazy, .stash): .lazyStash
        case (.lazy, .unstash): .lazyUnstash
        case (.lazy, .xchg): .lazyXchg
        }
    }

    /// percpu_ref's per-CPU mode while live (the count starts at bias + 1).
    var startsPerCPU: Bool { self == .percpuRef || self == .hybrid }

    /// The unload walk runs at the kill (lazy collects used allocators; hybrid's walk is what
    /// delays its kill).
    public var walksAtKill: Bool { self == .lazy || self == .hybrid }

    /// percpu_ref's kill: flags, base ref, grace period, fold (hybrid's at the map free).
    public var hasGraceAndFold: Bool { self == .percpuRef || self == .hybrid }

    /// lib/percpu-refcount.c's PERCPU_COUNT_BIAS.
    static let bias: UInt64 = 1 << 63
}

/// The per-op programs every policy has: the accounting alone, new+get+drop+put, stash,
/// unstash, and the exchange into a random slot.
enum PolicyOp: CaseIterable {
    case acct, pair, stash, unstash, xchg
}

/// The policy's state in the program's global data (`struct mb_strategy`): read from the
/// mapped .bss, never written from userspace.
public struct KernelPolicyState: Sendable, Equatable {
    public var count: UInt64 = 0
    public var mode: UInt64 = 0
    public var releases: UInt64 = 0
    public var killNs: UInt64 = 0
    public var foldNs: UInt64 = 0
    public var foldSum: Int64 = 0
    public var walkNs: UInt64 = 0
    public var walkVisited: UInt64 = 0
    public var walkFound: UInt64 = 0
    public var walkAdded: UInt64 = 0

    /// Field offsets in `struct mb_strategy` (strategies_common.bpf.h): count on its own line.
    static let usedGenOffset = 192

    static func read(_ object: BPFObject) -> KernelPolicyState? {
        guard let bss = object.bss, let base = object.bssOffset(of: StrategiesGlobal.strategy), base + usedGenOffset <= object.bssSize else { return nil }
        func u64(_ at: Int) -> UInt64 {
            // The programs write these with plain stores and locked RMWs; an atomic load is
            // not needed to read a quiescent value, volatile enough through the raw pointer.
            (bss + base + at).load(as: UInt64.self)
        }
        var s = KernelPolicyState()
        s.count = u64(0); s.mode = u64(64); s.releases = u64(72)
        s.killNs = u64(80); s.foldNs = u64(88); s.foldSum = Int64(bitPattern: u64(96))
        s.walkNs = u64(104); s.walkVisited = u64(112); s.walkFound = u64(120); s.walkAdded = u64(128)
        return s
    }

    /// Owners whose used_gen equals `generation`: the used-allocators set the walk built.
    static func usedOwners(_ object: BPFObject, generation: UInt32) -> [Int] {
        guard let bss = object.bss, let base = object.bssOffset(of: StrategiesGlobal.strategy) else { return [] }
        let start = base + usedGenOffset
        let n = min(1024, (object.bssSize - start) / 4)
        return (0..<n).filter { (bss + start + $0 * 4).load(as: UInt32.self) == generation }
    }
}
