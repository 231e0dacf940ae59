import MemAlloc

/// The allocator map's `value_size > 0` path (seed point 1): one fixed-size cache, lifetime as
/// `lazy`. Dropped in v5 of the series because it "doesn't bring any performance benefits vs
/// normal kmalloc" (the Aug 2022 thread); comparing it with `lazy` tests that claim.
public enum KmemCacheStrategy: LifetimeStrategy {
    public static let name = "kmem-cache"
    public static let summary = "fixed-size path (value_size > 0), lifetime as lazy"
    public static let whyNoAllocationAfterKill = LazyStrategy.whyNoAllocationAfterKill
    public static let countsObjects = false
    public static let collectsUsedAllocators = true

    public static func allocatorPath(objectSize: Int) -> MemAllocator.Path { .fixedSize(objectSize) }

    @inlinable @inline(__always)
    public static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int) {}
    @inlinable @inline(__always)
    public static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {}

    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        LazyStrategy.destroyWhenOwnersGone(lifetime, strategy: name)
    }
}
