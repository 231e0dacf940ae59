import MemAlloc

/// Kumar's last paragraph: percpu_ref per object, but the kill is delayed while any map's
/// `used_allocators` still holds the allocator, so frees stay on the per-CPU path after the
/// allocator map is gone. The kill (and the switch to atomic) happens when the last owner —
/// allocator map or used_allocators entry — goes. Objects no walk found still hold their own
/// reference, so the holes of `lazy` cost speed here, never safety.
public enum HybridStrategy: PercpuRefCounting {
    public static let name = "hybrid"
    public static let summary = "percpu_ref per object, kill delayed while used_allocators holds the allocator"
    public static let whyNoAllocationAfterKill =
        "the allocator map is gone: only frees remain, per-CPU puts while used_allocators delays the kill"
    public static let countsObjects = true
    public static let usesPercpuRef = true
    public static let collectsUsedAllocators = true

    public static let killAction = "last used_allocators reference gone: percpu_ref_kill with a grace period"
}
