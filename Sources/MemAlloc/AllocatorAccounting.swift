import Glibc
import Platform

/// What an allocator holds, read while its workers are quiescent (counters are single-writer
/// plain integers, so reading them during a run would be a data race).
public struct AllocatorStats: Equatable, Sendable {
    public struct PerClass: Equatable, Sendable {
        public let unitSize: Int
        public var allocs = 0
        public var frees = 0
        public var remoteFrees = 0
        public var refills = 0
        public var drains = 0
        public var cachedObjects = 0
        public var pooledObjects = 0
        public var carvedObjects = 0
        public var slabBytes = 0
        /// Allocated and not yet freed.
        public var outstanding: Int { allocs - frees }
    }
    public var classes: [PerClass]
    /// Bytes in per-CPU free lists, per CPU id (index = CPU id).
    public var cacheBytesPerCPU: [Int]
    /// Bytes of slabs obtained from node memory, per node id.
    public var slabBytesPerNode: [Int]
    /// Bytes of free units sitting in node pools, per node id.
    public var poolFreeBytesPerNode: [Int]

    public var outstanding: Int { classes.reduce(0) { $0 + $1.outstanding } }
    public var remoteFrees: Int { classes.reduce(0) { $0 + $1.remoteFrees } }
    public var allocs: Int { classes.reduce(0) { $0 + $1.allocs } }
    public var frees: Int { classes.reduce(0) { $0 + $1.frees } }
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
        for cpu in 0..<s.pointee.cpuIDLimit {
            for cls in 0..<nc {
                let c = s.pointee.caches[cpu * nc + cls]
                classes[cls].allocs += c.allocs
                classes[cls].frees += c.frees
                classes[cls].remoteFrees += c.remoteFrees
                classes[cls].refills += c.refills
                classes[cls].drains += c.drains
                classes[cls].cachedObjects += c.freeCount
                cacheBytes[cpu] += c.bytesHeld
            }
        }
        var slabBytes = [Int](repeating: 0, count: s.pointee.nodeIDLimit)
        var poolBytes = [Int](repeating: 0, count: s.pointee.nodeIDLimit)
        for node in 0..<s.pointee.nodeIDLimit {
            for cls in 0..<nc {
                let p = s.pointee.pools + node * nc + cls
                pthread_mutex_lock(&p.pointee.lock)
                classes[cls].pooledObjects += p.pointee.freeCount
                classes[cls].carvedObjects += p.pointee.unitsCarved
                classes[cls].slabBytes += p.pointee.slabBytes
                slabBytes[node] += p.pointee.slabBytes
                poolBytes[node] += p.pointee.freeCount * p.pointee.unitSize
                pthread_mutex_unlock(&p.pointee.lock)
            }
        }
        return AllocatorStats(classes: classes, cacheBytesPerCPU: cacheBytes, slabBytesPerNode: slabBytes,
                              poolFreeBytesPerNode: poolBytes)
    }

    /// Checks that every carved unit is accounted for exactly once: carved = cached + pooled +
    /// outstanding, per class, and that every free-list length matches its count. Returns the
    /// first violation, or nil. Walks every list: for tests and `--check` runs, not hot paths.
    public func checkInvariants() -> String? {
        let s = state
        let nc = s.pointee.classCount
        for cls in 0..<nc {
            var cached = 0, allocs = 0, frees = 0
            for cpu in 0..<s.pointee.cpuIDLimit {
                let c = s.pointee.caches + cpu * nc + cls
                var n = 0
                var u = c.pointee.freeHead
                while let unit = u { n += 1; u = ObjectHeader.next(ofUnit: unit) }
                if n != c.pointee.freeCount { return "CPU \(cpu) class \(cls): list holds \(n), count says \(c.pointee.freeCount)" }
                cached += n
                allocs += c.pointee.allocs
                frees += c.pointee.frees
            }
            var pooled = 0, carved = 0
            for node in 0..<s.pointee.nodeIDLimit {
                let p = s.pointee.pools + node * nc + cls
                var n = 0
                var u = p.pointee.freeHead
                while let unit = u { n += 1; u = ObjectHeader.next(ofUnit: unit) }
                if n != p.pointee.freeCount { return "node \(node) class \(cls): pool list holds \(n), count says \(p.pointee.freeCount)" }
                pooled += n
                carved += p.pointee.unitsCarved
            }
            let outstanding = allocs - frees
            if outstanding < 0 { return "class \(cls): more frees (\(frees)) than allocations (\(allocs))" }
            if carved != cached + pooled + outstanding {
                return "class \(cls): carved \(carved) ≠ cached \(cached) + pooled \(pooled) + outstanding \(outstanding)"
            }
        }
        return nil
    }

    /// Drains every cache, returns every slab to node memory and reports objects still
    /// allocated (memalloc.c `bpf_mem_alloc_destroy`: drain, free, warn on leaks).
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
        let nc = s.pointee.classCount
        for i in 0..<(s.pointee.cpuIDLimit * nc) {
            s.pointee.caches[i].freeHead = nil
            s.pointee.caches[i].freeCount = 0
        }
        var bytes = 0
        for i in 0..<(s.pointee.nodeIDLimit * nc) { bytes += (s.pointee.pools + i).releaseSlabs() }
        return bytes
    }

    /// Frees the bookkeeping itself (caches, pools, state).
    func destroyStorage() {
        let s = state
        if !s.pointee.isDestroyed { _ = releaseMemory() }
        let nc = s.pointee.classCount
        for i in 0..<(s.pointee.nodeIDLimit * nc) { (s.pointee.pools + i).destroyLock() }
        s.pointee.pools.deinitialize(count: s.pointee.nodeIDLimit * nc)
        s.pointee.pools.deallocate()
        s.pointee.caches.deinitialize(count: s.pointee.cpuIDLimit * nc)
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
    /// Bytes of slabs held from node memory, read under each pool's lock: safe while workers
    /// run (unlike `stats()`, whose per-CPU counters are single-writer plain integers).
    public func heldSlabBytes() -> Int {
        let s = state
        var total = 0
        for i in 0..<(s.pointee.nodeIDLimit * s.pointee.classCount) {
            let p = s.pointee.pools + i
            pthread_mutex_lock(&p.pointee.lock)
            total += p.pointee.slabBytes
            pthread_mutex_unlock(&p.pointee.lock)
        }
        return total
    }
}
