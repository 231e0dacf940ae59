import Atomics
import MemAlloc

/// The naive per-object refcount of the thread: one shared atomic counter per allocator, +1 per
/// allocation, −1 per free; the kill drops the base reference and the free that reaches zero
/// destroys. Every operation is an RMW on one cache line shared by all CPUs.
public enum AtomicStrategy: LifetimeStrategy {
    public static let name = "atomic"
    public static let summary = "one shared atomic count per allocator: +1 per alloc, -1 per free; the last free destroys"
    public static let whyNoAllocationAfterKill =
        "the allocator map is gone: bpf_obj_alloc needs it, so only frees remain (each an RMW on the shared count)"
    public static let countsObjects = true

    /// The shared count: word 0 of the lifetime's words.
    @inlinable @inline(__always)
    static func count(_ words: UnsafeMutableRawPointer) -> UnsafeAtomic<Int> {
        PaddedAtomicStorage.word(words, AllocatorLifetime.objectRefsWord)
    }

    @inlinable @inline(__always)
    public static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int) {
        // Relaxed, like refcount_inc: the caller already holds a reference (the map's).
        count(words).wrappingIncrement(ordering: .relaxed)
    }

    @inlinable @inline(__always)
    public static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {
        if count(words).wrappingDecrementThenLoad(ordering: .acquiringAndReleasing) == 0 {
            // The last reference: nobody else can destroy, so the owner's descriptor is intact.
            AllocatorLifetime(ownerCache: owner).destroyAllocator()
        }
    }

    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        let start = MonotonicClock.nanoseconds()
        objectFreed(lifetime, cpu: 0)  // the base reference; cpu is unused by this policy
        let ns = MonotonicClock.nanoseconds() - start
        return KillReport(strategy: name, action: "base reference dropped; the last free destroys",
                          killNanoseconds: ns, destroyedAllocator: lifetime.isDestroyed)
    }
}
