import Atomics

/// One CPU's cache of one size class (memalloc.c's `struct bpf_mem_cache`).
///
/// Four cache lines, one per kind of access, so no CPU writes a line another CPU reads on its
/// fast path (a test asserts the offsets):
/// - line 0, `descriptor`: written once at init, read by every free of an object this cache
///   allocated — from any CPU (a remote free finds its own cache through the owner's
///   `classColumn`), so it must never share a line with the owner's hot counters;
/// - line 1, the owner's hot free list (`freeHead`, `freeCount`, `drainTarget`);
/// - line 2, the owner's refill state (spare list, slab cursor) and per-batch statistics;
/// - line 3, `returned`: the lock-free list other CPUs push their surplus onto (memalloc.c's
///   `c->tgt` path), written by remote CPUs only at their drains.
///
/// Lines 1 and 2 are written only by the worker pinned to `cpu`, so they need no atomics (the
/// kernel gets the same from irqs off).
public struct PerCPUCache {
    // MARK: Line 0 — read-mostly descriptor
    /// CPU 0's cache of this allocator and class; CPU n's is `classCount` caches further
    /// (`[cpu * classCount + class]`): free() finds the freeing CPU's cache from the owner in
    /// the header without another argument.
    @usableFromInline var classColumn: UnsafeMutablePointer<PerCPUCache>
    @usableFromInline var allocator: UnsafeMutablePointer<AllocatorState>
    /// The lifetime strategy's record for this allocator, and the words its per-object
    /// accounting touches (a percpu_ref's flags and slots, or the atomic count), copied here
    /// so a free reaches them in one load from the header's owner (the kernel keeps the ref
    /// beside the `bpf_mem_alloc`).
    @usableFromInline var lifetimeContext: UnsafeMutableRawPointer?
    @usableFromInline var lifetimeWords: UnsafeMutableRawPointer?
    @usableFromInline var classIndex: Int32
    @usableFromInline var classCount: Int32
    @usableFromInline var cpu: Int32
    @usableFromInline var node: Int32
    @usableFromInline var unitSize: Int32
    @usableFromInline var lowWatermark: Int32
    @usableFromInline var highWatermark: Int32
    @usableFromInline var batch: Int32

    // MARK: Line 1 — the owner's fast path
    /// Top of the intrusive LIFO free list (a unit address; the link is in the header word).
    @usableFromInline var freeHead: UnsafeMutableRawPointer?
    @usableFromInline var freeCount: Int
    /// The owner of the last object freed here; a drain returns surplus to it. Like the
    /// kernel's `c->tgt`, this hint is "not accurate" for mixed batches, on purpose.
    @usableFromInline var drainTarget: UnsafeMutablePointer<PerCPUCache>?
    @usableFromInline var hotPadding: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)

    // MARK: Line 2 — the owner's refill state and statistics (touched once per batch)
    /// Units this cache drained to itself (the role SLUB's per-CPU freelist plays for the
    /// kernel: surplus kfree'd locally comes back on the next kmalloc_node).
    @usableFromInline var spareHead: UnsafeMutableRawPointer?
    @usableFromInline var spareCount: Int
    /// Bump carving of the current slab: the next unit and the end of the slab.
    @usableFromInline var slabCursor: UnsafeMutableRawPointer?
    @usableFromInline var slabEnd: UnsafeMutableRawPointer?
    /// Slabs this cache obtained from node memory (linked through their `SlabHeader`).
    @usableFromInline var slabs: UnsafeMutableRawPointer?
    @usableFromInline var carvedUnits: Int
    @usableFromInline var refills: Int32
    @usableFromInline var drains: Int32
    /// Units this cache drained to another CPU's cache (memalloc.c's cross-CPU `c->tgt` return).
    @usableFromInline var remoteReturns: Int32
    /// Atomic operations this CPU made on a shared line (returned-list pushes and takes): the
    /// only synchronization in the core, counted so tests can show the common path has none.
    @usableFromInline var sharedOperations: Int32

    // MARK: Line 3 — written by other CPUs
    /// Head of the multi-producer list other CPUs drain this cache's units onto. Producers push
    /// whole chains with a CAS; the owner takes everything with one exchange (llist_add_batch /
    /// llist_del_all: no pop-one, so no ABA).
    @usableFromInline var returned: UnsafeAtomic<Int>.Storage
    /// Bytes of this cache's slabs, readable by a sampler while the owner runs.
    @usableFromInline var slabBytes: UnsafeAtomic<Int>.Storage
    @usableFromInline var remotePadding: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

    /// Bytes the cache holds in its free list.
    public var bytesHeld: Int { freeCount * Int(unitSize) }
}

/// Cache-line geometry assumed by the padding.
public enum CacheLine {
    public static let size = 64
    /// The per-CPU stride: four lines, see `PerCPUCache`.
    public static let perCPUStride = 256
}

extension UnsafeMutablePointer where Pointee == PerCPUCache {
    @inlinable @inline(__always)
    var returnedList: UnsafeAtomic<Int> {
        UnsafeAtomic(at: UnsafeMutableRawPointer(self).advanced(by: MemoryLayout<PerCPUCache>.offset(of: \.returned)!)
            .assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
    }

    @inlinable @inline(__always)
    var slabByteCount: UnsafeAtomic<Int> {
        UnsafeAtomic(at: UnsafeMutableRawPointer(self).advanced(by: MemoryLayout<PerCPUCache>.offset(of: \.slabBytes)!)
            .assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
    }
}
