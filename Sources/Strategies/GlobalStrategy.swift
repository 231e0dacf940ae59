import MemAlloc

/// What landed upstream (Nov 2022, `bpf_obj_new`/`bpf_obj_drop`): one immortal allocator,
/// `bpf_global_ma`, no accounting, never killed. The floor the others are measured against.
/// In the model each world has its own "global" allocator, destroyed only at world teardown
/// (standing in for process end) so leaks can still be counted.
public enum GlobalStrategy: LifetimeStrategy {
    public static let name = "global"
    public static let summary = "one immortal allocator (bpf_global_ma), no accounting, never killed"
    public static let whyNoAllocationAfterKill =
        "no kill: the allocator is immortal, so its after-kill rows are the same frees, for comparison"
    public static let countsObjects = false
    public static let isImmortal = true

    @inlinable @inline(__always)
    public static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int) {}
    @inlinable @inline(__always)
    public static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {}

    /// Never reached through owners (the world holds an immortal owner reference); if the
    /// model's teardown drops that reference, this is the end of the process.
    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        lifetime.destroyAllocator()
        return KillReport(strategy: name, action: "teardown of the immortal allocator (process end)", destroyedAllocator: true)
    }
}
