import Glibc
import Platform

/// What an allocator holds, read while its workers are quiescent (the per-CPU fields are
/// single-writer plain integers, so reading them during a run would be a data race).
/// Nothing is counted per operation: what is allocated is derived from what was carved and
/// what sits in lists.
public struct AllocatorStats: Equatable, Sendable {
    public struct PerClass: Equatable, Sendable {
        public let unitSize: Int
        public var refills = 0
        public var drains = 0
        /// Units drained to another CPU's cache (the owner's, `c->tgt`): counted per drain.
        public var remoteReturns = 0
        /// Units in per-CPU free lists.
        public var cachedObjects = 0
        /// Units in per-CPU spare lists (a cache's own drained surplus).
        public var spareObjects = 0
        /// Units returned by other CPUs and not yet taken by a refill.
        public var returnedObjects = 0
        public var carvedObjects = 0
        public var slabBytes = 0
        /// Atomic operations on shared lines (returned-list pushes and takes).
        public var sharedOperations = 0
        /// Allocated and not yet freed: carved minus every unit sitting in a list.
        public var outstanding: Int { carvedObjects - cachedObjects - spareObjects - returnedObjects }
    }
    public var classes: [PerClass]
    /// Bytes in per-CPU free lists, per CPU id (index = CPU id).
    public var cacheBytesPerCPU: [Int]
    /// Bytes of slabs obtained from node memory, per node id.
    public var slabBytesPerNode: [Int]
    /// Bytes of free units sitting in spare and returned lists, per node id of the cache.
    public var spareBytesPerNode: [Int]

    public var outstanding: Int { classes.reduce(0) { $0 + $1.outstanding } }
    public var remoteReturns: Int { classes.reduce(0) { $0 + $1.remoteReturns } }
    public var refills: Int { classes.reduce(0) { $0 + $1.refills } }
    public var drains: Int { classes.reduce(0) { $0 + $1.drains } }
    public var sharedOperations: Int { classes.reduce(0) { $0 + $1.sharedOperations } }
    /// All memory the allocator holds from node memory (slabs), the figure for `bytes_*` metrics.
    public var bytesHeld: Int { slabBytesPerNode.reduce(0, +) }
    public var cacheBytes: Int { cacheBytesPerCPU.reduce(0, +) }
}

/// What `destroy()` found: objects still allocated per size class (leaks) and bytes returned.
public struct DestroyReport: Equatable, Sendable, CustomStringConvertible {
    public struct Leak: Equatable, Sendable {
        public let unitSize: Int
        public let objects: Int
    }
    public let leaks: [Leak]
    public let bytesReturned: Int
    public var leakedObjects: Int { leaks.reduce(0) { $0 + $1.objects } }
    public var leakedBytes: Int { leaks.reduce(0) { $0 + $1.objects * $1.unitSize } }
    public var isClean: Bool { leaks.isEmpty }

    public var description: String {
        if leaks.isEmpty { return "clean: \(bytesReturned) bytes returned" }
        let list = leaks.map { "\($0.objects)×\($0.unitSize)B" }.joined(separator: ", ")
        return "leaked \(leakedObjects) objects (\(list)); \(bytesReturned) bytes returned"
    }
}

extension MemAllocator {
    public var serial: Int { state.pointee.serial }
    public var isDestroyed: Bool { state.pointee.isDestroyed }
    public var topologyCPUs: [Int] { state.pointee.onlineCPUs }

    /// Cache parameters per class, as computed at init.
    public var cacheParameters: [CacheParameters] {
        (0..<state.pointee.classCount).map { CacheParameters(unitSize: Int(state.pointee.caches[$0].unitSize)) }
    }

    /// Free objects in one CPU's cache of one class (for tests of watermark behaviour).
    public func cachedCount(cpu: Int, classIndex: Int) -> Int {
        state.pointee.caches[cpu * state.pointee.classCount + classIndex].freeCount
    }

    /// A snapshot of every counter. Call only while no worker is using the allocator.
    public func stats() -> AllocatorStats {
        let s = state
        let nc = s.pointee.classCount
        var classes = (0..<nc).map { AllocatorStats.PerClass(unitSize: Int(s.pointee.caches[$0].unitSize)) }
        var cacheBytes = [Int](repeating: 0, count: s.pointee.cpuIDLimit)
        var slabBytes = [Int](repeating: 0, count: s.pointee.nodeIDLimit)
        var spareBytes = [Int](repeating: 0, count: s.pointee.nodeIDLimit)
        for cpu in 0..<s.pointee.cpuIDLimit {
            for cls in 0..<nc {
                let c = s.pointee.caches + (cpu * nc + cls)
                let returned = ReturnList.count(of: c)
                let unit = Int(c.pointee.unitSize)
                let node = Int(c.pointee.node)
                classes[cls].refills += Int(c.pointee.refills)
                classes[cls].drains += Int(c.pointee.drains)
                classes[cls].remoteReturns += Int(c.pointee.remoteReturns)
                classes[cls].sharedOperations += Int(c.pointee.sharedOperations)
                classes[cls].cachedObjects += c.pointee.freeCount
                classes[cls].spareObjects += c.pointee.spareCount
                classes[cls].returnedObjects += returned
                classes[cls].carvedObjects += c.pointee.carvedUnits
                let slab = c.slabByteCount.load(ordering: .relaxed)
                classes[cls].slabBytes += slab
                cacheBytes[cpu] += c.pointee.bytesHeld
                slabBytes[node] += slab
                spareBytes[node] += (c.pointee.spareCount + returned) * unit
            }
        }
        return AllocatorStats(classes: classes, cacheBytesPerCPU: cacheBytes, slabBytesPerNode: slabBytes,
                              spareBytesPerNode: spareBytes)
    }

    /// Checks that every carved unit is accounted for exactly once (carved = cached + spare +
    /// returned + outstanding ≥ 0, per class) and that every list's length matches its count.
    /// Returns the first violation, or nil. Walks every list: for tests, not hot paths.
    public func checkInvariants() -> String? {
        let s = state
        let nc = s.pointee.classCount
        for cls in 0..<nc {
            for cpu in 0..<s.pointee.cpuIDLimit {
                let c = s.pointee.caches + (cpu * nc + cls)
                for (name, head, count) in [("free list", c.pointee.freeHead, c.pointee.freeCount),
                                            ("spare list", c.pointee.spareHead, c.pointee.spareCount)] {
                    var n = 0
                    var u = head
                    while let unit = u { n += 1; u = ObjectHeader.next(ofUnit: unit) }
                    if n != count { return "CPU \(cpu) class \(cls): \(name) holds \(n), count says \(count)" }
                }
            }
        }
        for (cls, c) in stats().classes.enumerated() where c.outstanding < 0 {
            return "class \(cls): \(c.cachedObjects + c.spareObjects + c.returnedObjects) units in lists but only \(c.carvedObjects) carved"
        }
        return nil
    }

    /// Returns every slab to node memory and reports objects still allocated (memalloc.c
    /// `bpf_mem_alloc_destroy`: drain, free, warn on leaks).
    /// Afterwards the handle must not be used, except `isDestroyed` when built with a tombstone.
    @discardableResult
    public func destroy() -> DestroyReport {
        precondition(!state.pointee.isDestroyed, "allocator \(serial) destroyed twice")
        let st = stats()
        let leaks = st.classes.filter { $0.outstanding != 0 }.map { DestroyReport.Leak(unitSize: $0.unitSize, objects: $0.outstanding) }
        let bytes = releaseMemory()
        state.pointee.isDestroyed = true
        if !state.pointee.keepsTombstone { destroyStorage() }
        return DestroyReport(leaks: leaks, bytesReturned: bytes)
    }

    private func releaseMemory() -> Int {
        let s = state
        var bytes = 0
        for i in 0..<(s.pointee.cpuIDLimit * s.pointee.classCount) {
            let c = s.pointee.caches + i
            var slab = c.pointee.slabs
            while let sl = slab {
                let header = sl.load(as: SlabHeader.self)
                slab = header.next
                s.pointee.memory.free(sl, bytes: header.bytes)
                bytes += header.bytes
            }
            c.pointee.slabs = nil
            c.pointee.slabCursor = nil
            c.pointee.slabEnd = nil
            c.pointee.freeHead = nil
            c.pointee.freeCount = 0
            c.pointee.spareHead = nil
            c.pointee.spareCount = 0
            c.pointee.carvedUnits = 0
            c.returnedList.store(0, ordering: .relaxed)
            c.slabByteCount.store(0, ordering: .relaxed)
        }
        return bytes
    }

    /// Frees the bookkeeping itself (caches, state).
    func destroyStorage() {
        let s = state
        if !s.pointee.isDestroyed { _ = releaseMemory() }
        s.pointee.caches.deinitialize(count: s.pointee.cpuIDLimit * s.pointee.classCount)
        UnsafeMutableRawPointer(s.pointee.caches).deallocate()
        s.deinitialize(count: 1)
        s.deallocate()
    }

    /// Frees the tombstone of a destroyed allocator built with `keepTombstone`.
    public func releaseTombstone() {
        precondition(state.pointee.isDestroyed && state.pointee.keepsTombstone)
        destroyStorage()
    }
}

extension MemAllocator {
    /// Bytes of slabs held from node memory: relaxed atomic reads, safe while workers run
    /// (unlike `stats()`, whose per-CPU counters are single-writer plain integers).
    public func heldSlabBytes() -> Int {
        let s = state
        var total = 0
        for i in 0..<(s.pointee.cpuIDLimit * s.pointee.classCount) {
            total += (s.pointee.caches + i).slabByteCount.load(ordering: .relaxed)
        }
        return total
    }
}
