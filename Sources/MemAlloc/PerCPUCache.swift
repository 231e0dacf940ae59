/// One CPU's cache of one size class (memalloc.c's `struct bpf_mem_cache`).
///
/// Written only by the worker pinned to `cpu`, so its fast path needs no atomics (the kernel
/// gets the same from irqs off). Padded to two cache lines so neighbouring CPUs' caches never
/// share a line, nor an adjacent-line prefetch pair; a test asserts the stride.
public struct PerCPUCache {
    /// Top of the intrusive LIFO free list (a unit address; the link is in the header word).
    @usableFromInline var freeHead: UnsafeMutableRawPointer?
    @usableFromInline var freeCount: Int
    @usableFromInline var lowWatermark: Int32
    @usableFromInline var highWatermark: Int32
    @usableFromInline var batch: Int32
    @usableFromInline var unitSize: Int32
    @usableFromInline var classIndex: Int32
    @usableFromInline var cpu: Int32
    @usableFromInline var node: Int32
    @usableFromInline var classCount: Int32
    /// All caches of this allocator, `[cpu * classCount + class]`: free() finds the freeing
    /// CPU's cache from the owner in the header without another argument.
    @usableFromInline var siblings: UnsafeMutablePointer<PerCPUCache>
    /// The pool this cache refills from: its CPU's node, its class.
    @usableFromInline var pool: UnsafeMutablePointer<NodePool>
    /// The owner of the last object freed here; a drain returns surplus to its node. Like the
    /// kernel's `c->tgt`, this hint is "not accurate" for mixed batches, on purpose.
    @usableFromInline var drainTarget: UnsafeMutablePointer<PerCPUCache>?
    @usableFromInline var allocator: UnsafeMutablePointer<AllocatorState>
    // Counters, single writer (this CPU's worker); read only when the workers are quiescent.
    @usableFromInline var allocs: Int
    @usableFromInline var frees: Int
    @usableFromInline var remoteFrees: Int
    @usableFromInline var refills: Int
    @usableFromInline var drains: Int
    // Pads the struct to exactly `CacheLine.perCPUStride` bytes (asserted by a test).
    @usableFromInline var padding: Int = 0

    /// Bytes the cache holds in its free list.
    public var bytesHeld: Int { freeCount * Int(unitSize) }
}

/// Cache-line geometry assumed by the padding.
public enum CacheLine {
    public static let size = 64
    /// The per-CPU stride: two lines, because the adjacent-line prefetcher pulls pairs.
    public static let perCPUStride = 128
}
