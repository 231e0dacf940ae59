import MemAlloc

/// Delyan and Alexei's proposal (seed 4.2/4.3): no per-object accounting. Program unload walks
/// every value of every used map and takes one reference per allocator found into that map's
/// `used_allocators`; map free frees every kptr and then drops those references. The
/// allocator is destroyed when its last owner (allocator map or used_allocators entry) goes —
/// objects nobody walked (Kumar's map-in-map and concurrent-xchg holes) then outlive it.
public enum LazyStrategy: LifetimeStrategy {
    public static let name = "lazy"
    public static let summary = "no per-object count: program unload walks map values into used_allocators"
    public static let whyNoAllocationAfterKill =
        "no allocator map left (bpf_obj_alloc needs the map pointer): only frees remain, and they cost nothing extra"
    public static let countsObjects = false
    public static let collectsUsedAllocators = true

    @inlinable @inline(__always)
    public static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int) {}
    @inlinable @inline(__always)
    public static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {}

    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        destroyWhenOwnersGone(lifetime, strategy: name)
    }

    /// Shared with kmem-cache: the last owner destroys at once, leaks and all.
    static func destroyWhenOwnersGone(_ lifetime: AllocatorLifetime, strategy: String) -> KillReport {
        let start = MonotonicClock.nanoseconds()
        lifetime.destroyAllocator()
        let leaked = lifetime.destroyReport?.leakedObjects ?? 0
        return KillReport(strategy: strategy,
                          action: "last owner gone: allocator destroyed" + (leaked > 0 ? " with \(leaked) objects still live" : ""),
                          killNanoseconds: MonotonicClock.nanoseconds() - start, destroyedAllocator: true)
    }
}
