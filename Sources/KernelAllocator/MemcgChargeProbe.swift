import CLibbpf
import Foundation
import Glibc
import Results

/// Who the running kernel charges for a BPF allocator's objects. bpf_mem_alloc records the
/// memcg of the task that *created* the allocator (`get_obj_cgroup_from_current` in
/// `bpf_mem_alloc_init`) and charges every refill to it (`set_active_memcg` in `alloc_bulk`),
/// whoever allocates. So:
/// - `global`: objects from `bpf_obj_new` (bpf_global_ma, created at boot) allocated by a
///   program run from a process inside a child cgroup — expected: not charged there;
/// - `created-inside`: a no-prealloc hash map created from inside the child cgroup, filled
///   from outside it — expected: charged to the child;
/// - `created-outside`: a no-prealloc hash map created outside, filled from inside — expected:
///   not charged to the child.
public struct MemcgChargeProbe: Sendable {
    public enum Case: String, CaseIterable, Sendable {
        case global = "bpf_obj_new, run from inside"
        case createdInside = "htab created inside, filled outside"
        case createdOutside = "htab created outside, filled inside"
        /// The subject name of the result rows.
        public var subject: String { self == .global ? "kernel" : "kernel-htab" }
        /// The op of the result rows.
        public var op: Op {
            switch self {
            case .global: return .objNewInside
            case .createdInside: return .createInsideFillOutside
            case .createdOutside: return .createOutsideFillInside
            }
        }
    }

    public struct Result: Sendable {
        public let kind: Case
        public let objects: Int
        /// objects × the kmalloc size of their unit: what would be charged if the child paid.
        public let objectBytes: Int
        /// The child cgroup's charge while the objects are held.
        public let charge: CgroupMemory.Charge
        /// Bytes gained meanwhile in the objects' own kmalloc cache (both its plain and its
        /// `-cg-` variant, system-wide): the objects exist. Only that cache: a map closed just
        /// before frees its elements (another cache) asynchronously, which a sum over every
        /// kmalloc cache would subtract.
        public let slabBytes: Int?
        /// The child was charged at least half the objects' bytes.
        public var charged: Bool { charge.total >= objectBytes / 2 }
    }

    public let objects: Int
    public let valueSize: Int
    public let build: BPFBuild
    public init(objects: Int = 65_536, valueSize: Int = 64, build: BPFBuild) {
        self.objects = objects
        self.valueSize = valueSize
        self.build = build
    }

    /// `sizeof(struct htab_elem)` + key (4 → 8) + value, + the 8-byte llist header: the htab's unit.
    public static func htabUnit(elementHeader: Int, valueSize: Int) -> Int { elementHeader + 8 + (valueSize + 7) / 8 * 8 + 8 }

    /// The kmalloc cache (`kmalloc-cg-128`) a no-prealloc htab's elements come from.
    public static func htabUnitCache(elementHeader: Int, valueSize: Int) -> String {
        "kmalloc-cg-" + KernelObjectSize.cacheSuffix(KernelObjectSize.kmalloc(htabUnit(elementHeader: elementHeader, valueSize: valueSize)))
    }

    /// Bytes gained in `kmalloc-<unit>` and `kmalloc-cg-<unit>` between two snapshots.
    static func cacheDelta(unit: Int, _ before: SlabTotals?, _ after: SlabTotals?) -> Int? {
        guard let before, let after else { return nil }
        let size = KernelObjectSize.cacheSuffix(unit)
        return after.delta(since: before, caches: ["kmalloc-\(size)", "kmalloc-cg-\(size)"])
    }

    /// Waits (at most 3 s) until the unit's cache has given back `bytes` since `since`: a
    /// map's elements and RCU-freed objects return to slab asynchronously, after grace
    /// periods, and would otherwise be subtracted from the next probe's growth.
    static func awaitReturn(unit: Int, bytes: Int, since: SlabTotals?) {
        guard since != nil else { return }
        for _ in 0..<300 {
            if let d = cacheDelta(unit: unit, since, SlabTotals.read()), d <= -bytes { return }
            usleep(10_000)
        }
    }

    public func run(_ kind: Case, in cgroup: CgroupMemory.Child, elementHeader: Int) throws(KernelUnavailable) -> Result {
        CgroupMemory.probeLock.lock()
        defer { CgroupMemory.probeLock.unlock() }
        defer { try? cgroup.leave() }
        switch kind {
        case .global:
            let object = try BPFObject(.objSlots, objectSize: valueSize, build: build, maxEntries: [ObjSlotsMap.slots.id: UInt32(objects)],
                                       autoload: [ObjSlotsProgram.stash.id, ObjSlotsProgram.unstash.id])
            defer { object.close() }
            let stash = object.testRun(ObjSlotsProgram.stash)
            let unstash = object.testRun(ObjSlotsProgram.unstash)
            let cpus = Array(0..<min(ProvenanceCounters.maxCPUs, Int(sysconf(Int32(_SC_NPROCESSORS_CONF)))))
            let before = ProvenanceCounters.read(object, cpus: cpus)
            try cgroup.enter()
            let slab0 = SlabTotals.read()
            let c0 = try cgroup.charge()
            do {
                guard try stash.run(iterations: objects) == 0 else {
                    throw KernelUnavailable(reason: "bpf_obj_new failed", note: "stashing \(objects) objects failed")
                }
            } catch let e as KernelUnavailable { throw e } catch {
                throw KernelUnavailable(reason: "BPF_PROG_TEST_RUN failed", note: "\(error)")
            }
            let c1 = try cgroup.charge()
            let slab1 = SlabTotals.read()
            try cgroup.leave()
            let counted = ProvenanceCounters.read(object, cpus: cpus) - before
            _ = try? unstash.run(iterations: objects)
            guard counted.allocated == UInt64(objects), counted.failed == 0 else {
                throw KernelUnavailable(reason: "provenance mismatch", note: "counted \(counted.allocated) of \(objects) objects")
            }
            let unit = KernelObjectSize.kmalloc(valueSize + 8)
            Self.awaitReturn(unit: unit, bytes: objects * unit / 2, since: slab1)
            return Result(kind: kind, objects: objects, objectBytes: objects * unit, charge: c1 - c0,
                          slabBytes: Self.cacheDelta(unit: unit, slab0, slab1))
        case .createdInside, .createdOutside:
            if kind == .createdInside { try cgroup.enter() }
            let fd = CLibbpf_map_create(BPF_MAP_TYPE_HASH, "mb_charge", 4, UInt32(valueSize), UInt32(objects), UInt32(BPF_F_NO_PREALLOC))
            if kind == .createdInside { try cgroup.leave() }
            guard fd >= 0 else {
                throw KernelUnavailable(reason: "map creation failed", note: "BPF_MAP_CREATE: \(String(cString: strerror(-fd)))")
            }
            var open = true
            defer { if open { close(fd) } }
            if kind == .createdOutside { try cgroup.enter() }
            let slab0 = SlabTotals.read()
            let c0 = try cgroup.charge()
            var value = [UInt8](repeating: 0, count: valueSize)
            for k in 0..<UInt32(objects) {
                var key = k
                guard bpf_map_update_elem(fd, &key, &value, UInt64(BPF_NOEXIST)) == 0 else {
                    throw KernelUnavailable(reason: "htab insert failed", note: "key \(k): \(String(cString: strerror(errno)))")
                }
            }
            let c1 = try cgroup.charge()
            let slab1 = SlabTotals.read()
            if kind == .createdOutside { try cgroup.leave() }
            let unit = KernelObjectSize.kmalloc(Self.htabUnit(elementHeader: elementHeader, valueSize: valueSize))
            close(fd)
            open = false
            Self.awaitReturn(unit: unit, bytes: objects * unit / 2, since: slab1)
            return Result(kind: kind, objects: objects, objectBytes: objects * unit, charge: c1 - c0,
                          slabBytes: Self.cacheDelta(unit: unit, slab0, slab1))
        }
    }
}

/// kmalloc's size classes, as the kernel rounds a request (KernelAllocator does not link the
/// model; MemAlloc's KmallocSize is the same rule).
enum KernelObjectSize {
    static func kmalloc(_ bytes: Int) -> Int {
        [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192].first { $0 >= bytes } ?? (bytes + 4095) & ~4095
    }
    /// How /proc/slabinfo names a kmalloc size: "96", "1k".
    static func cacheSuffix(_ size: Int) -> String { size >= 1024 ? "\(size / 1024)k" : "\(size)" }
}
