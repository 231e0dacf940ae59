/// One CPU's counters from a program's global data (`struct mb_counters` in memalloc_bench.h:
/// eight u64 per CPU, one cache line). A row is written only when these moved exactly as
/// many times as the operations the loader timed.
public struct ProvenanceCounters: Sendable, Equatable {
    public var allocated: UInt64 = 0
    public var failed: UInt64 = 0
    public var freed: UInt64 = 0
    public var empty: UInt64 = 0

    public init(allocated: UInt64 = 0, failed: UInt64 = 0, freed: UInt64 = 0, empty: UInt64 = 0) {
        self.allocated = allocated
        self.failed = failed
        self.freed = freed
        self.empty = empty
    }

    static let maxCPUs = 256 // MB_MAX_CPUS
    static let stride = 64

    /// Reads CPU `cpu`'s counters from `object`'s mapped .bss.
    static func read(_ object: BPFObject, cpu: Int) -> ProvenanceCounters {
        let start = object.countersOffset + cpu * stride
        guard let bss = object.bss, cpu >= 0, cpu < maxCPUs, start + stride <= object.bssSize else { return ProvenanceCounters() }
        let base = bss + start
        return ProvenanceCounters(allocated: base.load(fromByteOffset: 0, as: UInt64.self),
                                  failed: base.load(fromByteOffset: 8, as: UInt64.self),
                                  freed: base.load(fromByteOffset: 16, as: UInt64.self),
                                  empty: base.load(fromByteOffset: 24, as: UInt64.self))
    }

    /// Counts summed over `cpus`.
    static func read(_ object: BPFObject, cpus: [Int]) -> ProvenanceCounters {
        cpus.reduce(into: ProvenanceCounters()) { sum, cpu in sum = sum + read(object, cpu: cpu) }
    }

    public static func + (a: ProvenanceCounters, b: ProvenanceCounters) -> ProvenanceCounters {
        ProvenanceCounters(allocated: a.allocated + b.allocated, failed: a.failed + b.failed, freed: a.freed + b.freed, empty: a.empty + b.empty)
    }
    public static func - (a: ProvenanceCounters, b: ProvenanceCounters) -> ProvenanceCounters {
        ProvenanceCounters(allocated: a.allocated &- b.allocated, failed: a.failed &- b.failed, freed: a.freed &- b.freed, empty: a.empty &- b.empty)
    }
}
