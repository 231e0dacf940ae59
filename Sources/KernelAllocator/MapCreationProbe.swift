import CLibbpf
import Foundation
import Glibc

/// What creating a map costs the running kernel, map type by map type: a `BPF_F_NO_PREALLOC`
/// hash map runs `bpf_mem_alloc_init` for its element size (a `bpf_mem_cache` per possible CPU,
/// each prefilled from kmalloc), a preallocated one allocates every element up front, an array
/// map one block. Each kind is created `count` times in a row (held open, then closed), so
/// the per-map time is a median and the memory deltas (slabinfo, the creator's memcg) are
/// totals divided by `count`, well above the memcg's 64-page charge batches.
public struct MapCreationProbe: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case htabNoPrealloc = "kernel-htab"
        case htabPrealloc = "kernel-htab-prealloc"
        case array = "kernel-array"

        var type: bpf_map_type { self == .array ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH }
        var flags: UInt32 { self == .htabNoPrealloc ? UInt32(BPF_F_NO_PREALLOC) : 0 }
        public var summary: String {
            switch self {
            case .htabNoPrealloc: return "hash map, BPF_F_NO_PREALLOC (bpf_mem_alloc_init)"
            case .htabPrealloc: return "hash map, preallocated"
            case .array: return "array map"
            }
        }
    }

    public struct Result: Sendable {
        public let kind: Kind
        public let maxEntries: Int
        public let valueSize: Int
        /// Creation times, one per map, nanoseconds.
        public var createNanoseconds: [Int]
        /// `memlock:` of /proc/self/fdinfo/<fd> (the kernel's `map_mem_usage`), per map.
        public var memlockBytes: Int?
        /// kmalloc slab bytes gained per map (/proc/slabinfo, system-wide).
        public var slabBytes: Int?
        /// Of which in `unitCache` (the kmalloc-cg cache a no-prealloc htab's elements, and so
        /// its allocator's prefill, come from).
        public var unitCacheBytes: Int?
        /// Charged to the creating cgroup per map.
        public var charge: CgroupMemory.Charge?
        /// Why `charge` is missing.
        public var chargeUnavailable: KernelUnavailable?
        /// Time to close all `count` maps (frees are deferred by the kernel).
        public var closeNanoseconds = 0
    }

    public let count: Int
    public let maxEntries: Int
    public let valueSize: Int
    public init(count: Int = 32, maxEntries: Int, valueSize: Int = 64) {
        self.count = count
        self.maxEntries = maxEntries
        self.valueSize = valueSize
    }

    /// Creates `count` maps of `kind` (inside `cgroup` when given) and measures them.
    public func run(_ kind: Kind, cgroup: CgroupMemory.Child?, unitCache: String? = nil) throws(KernelUnavailable) -> Result {
        CgroupMemory.probeLock.lock()
        defer { CgroupMemory.probeLock.unlock() }
        var result = Result(kind: kind, maxEntries: maxEntries, valueSize: valueSize, createNanoseconds: [])
        var fds: [Int32] = []
        fds.reserveCapacity(count)
        defer { for fd in fds { close(fd) } }
        if let cgroup { try cgroup.enter() }
        let slabBefore = SlabTotals.read()
        let chargeBefore = try cgroup?.charge()
        for _ in 0..<count {
            let t0 = monotonicNanoseconds()
            let fd = CLibbpf_map_create(kind.type, "mb_own", 4, UInt32(valueSize), UInt32(maxEntries), kind.flags)
            let t1 = monotonicNanoseconds()
            guard fd >= 0 else {
                try? cgroup?.leave()
                throw KernelUnavailable(reason: "map creation failed",
                                        note: "BPF_MAP_CREATE \(kind.rawValue) (\(maxEntries) entries): \(String(cString: strerror(-fd)))")
            }
            fds.append(fd)
            result.createNanoseconds.append(t1 - t0)
        }
        let chargeAfter = try cgroup?.charge()
        let slabAfter = SlabTotals.read()
        if let cgroup { try cgroup.leave() }
        if let b = chargeBefore, let a = chargeAfter {
            let d = a - b
            result.charge = CgroupMemory.Charge(total: d.total / count, kernel: d.kernel.map { $0 / count },
                                                slab: d.slab.map { $0 / count }, percpu: d.percpu.map { $0 / count })
        }
        if let b = slabBefore, let a = slabAfter {
            result.slabBytes = a.delta(since: b) / count
            if let u = unitCache { result.unitCacheBytes = ((a.bytes[u] ?? 0) - (b.bytes[u] ?? 0)) / count }
        }
        result.memlockBytes = Self.memlock(fd: fds[0])
        let t2 = monotonicNanoseconds()
        for fd in fds { close(fd) }
        fds.removeAll()
        result.closeNanoseconds = monotonicNanoseconds() - t2
        return result
    }

    /// The `memlock:` line of a map fd's fdinfo: what the kernel reports as the map's memory.
    public static func memlock(fd: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("memlock:") {
            return Int(line.dropFirst("memlock:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
