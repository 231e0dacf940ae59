import Glibc
import Platform

/// The objects of one size class on one NUMA node, shared by that node's CPUs (the role
/// kmalloc_node plays for memalloc.c). Slabs come from `numa_alloc_onnode`.
///
/// Only refills and drains reach it — batches of 48 for small classes — so a mutex is
/// uncontended in the common case and cheaper to reason about than a lock-free stack (which
/// would need ABA protection for batch pops). Cache-line aligned and padded by its allocation.
public struct NodePool {
    @usableFromInline var lock: pthread_mutex_t
    @usableFromInline var freeHead: UnsafeMutableRawPointer?
    @usableFromInline var freeCount: Int
    /// Singly linked list of slabs; each slab starts with a `SlabHeader`.
    @usableFromInline var slabs: UnsafeMutableRawPointer?
    @usableFromInline var slabBytes: Int
    @usableFromInline var unitsCarved: Int
    @usableFromInline var unitSize: Int
    @usableFromInline var node: Int
    @usableFromInline var memory: NodeMemory
    @usableFromInline var slabFailures: Int

    /// Slab size: at least 64 KiB and at least 4 refill batches, rounded to pages.
    static func slabSize(unitSize: Int, batch: Int) -> Int {
        let want = max(64 << 10, SlabHeader.size + unitSize * batch * 4)
        return (want + 4095) & ~4095
    }

    init(unitSize: Int, node: Int, memory: NodeMemory) {
        lock = pthread_mutex_t()
        freeHead = nil
        freeCount = 0
        slabs = nil
        slabBytes = 0
        unitsCarved = 0
        self.unitSize = unitSize
        self.node = node
        self.memory = memory
        slabFailures = 0
    }
}

/// The start of every slab: the link to the next slab and the slab's size.
struct SlabHeader {
    static let size = 64  // keeps units cache-line aligned
    var next: UnsafeMutableRawPointer?
    var bytes: Int
}

extension UnsafeMutablePointer where Pointee == NodePool {
    func initializeLock() { pthread_mutex_init(&pointee.lock, nil) }
    func destroyLock() { pthread_mutex_destroy(&pointee.lock) }

    /// Takes up to `count` units into a chain; returns (head, tail, taken). Carves a new slab
    /// when the pool runs short. `taken` < `count` only when node memory is exhausted.
    func take(_ count: Int, batch: Int) -> (head: UnsafeMutableRawPointer?, tail: UnsafeMutableRawPointer?, taken: Int) {
        pthread_mutex_lock(&pointee.lock)
        defer { pthread_mutex_unlock(&pointee.lock) }
        if pointee.freeCount < count { carveSlab(batch: batch) }
        var head: UnsafeMutableRawPointer? = nil
        var tail: UnsafeMutableRawPointer? = nil
        var taken = 0
        while taken < count, let unit = pointee.freeHead {
            pointee.freeHead = ObjectHeader.next(ofUnit: unit)
            ObjectHeader.setNext(head, ofUnit: unit)
            if tail == nil { tail = unit }
            head = unit
            taken += 1
        }
        pointee.freeCount -= taken
        return (head, tail, taken)
    }

    /// Returns a chain of `count` units linked through their headers.
    func give(head: UnsafeMutableRawPointer, tail: UnsafeMutableRawPointer, count: Int) {
        pthread_mutex_lock(&pointee.lock)
        ObjectHeader.setNext(pointee.freeHead, ofUnit: tail)
        pointee.freeHead = head
        pointee.freeCount += count
        pthread_mutex_unlock(&pointee.lock)
    }

    /// Called with the lock held.
    private func carveSlab(batch: Int) {
        let bytes = NodePool.slabSize(unitSize: pointee.unitSize, batch: batch)
        guard let slab = try? pointee.memory.allocate(bytes: bytes, node: pointee.node) else {
            pointee.slabFailures += 1
            return
        }
        slab.storeBytes(of: SlabHeader(next: pointee.slabs, bytes: bytes), as: SlabHeader.self)
        pointee.slabs = slab
        pointee.slabBytes += bytes
        let unit = pointee.unitSize
        let n = (bytes - SlabHeader.size) / unit
        // Push in reverse so the first allocations walk the slab upwards.
        var i = n - 1
        while i >= 0 {
            let u = slab + SlabHeader.size + i * unit
            ObjectHeader.setNext(pointee.freeHead, ofUnit: u)
            pointee.freeHead = u
            i -= 1
        }
        pointee.freeCount += n
        pointee.unitsCarved += n
    }

    /// Returns every slab to node memory. The caller guarantees no unit is in use.
    func releaseSlabs() -> Int {
        var released = 0
        var slab = pointee.slabs
        while let s = slab {
            let header = s.load(as: SlabHeader.self)
            slab = header.next
            pointee.memory.free(s, bytes: header.bytes)
            released += header.bytes
        }
        pointee.slabs = nil
        pointee.slabBytes = 0
        pointee.freeHead = nil
        pointee.freeCount = 0
        return released
    }
}
