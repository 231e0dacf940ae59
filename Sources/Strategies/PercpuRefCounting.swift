import MemAlloc

/// The per-object accounting `percpu-ref` and `hybrid` share: `percpu_ref_get` on every
/// allocation, `percpu_ref_put` on every
/// free, and a kill that is `percpu_ref_kill` with a real grace period. They differ only in
/// when the kill comes (the allocator map's close, or the last used_allocators reference).
public protocol PercpuRefCounting: LifetimeStrategy {
    /// What the kill report says happened at the kill.
    static var killAction: String { get }
}

extension PercpuRefCounting {
    @inlinable @inline(__always)
    public static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int) { PercpuRef(words: words).get(cpu: cpu) }

    @inlinable @inline(__always)
    public static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {
        PercpuRef(words: words).put(cpu: cpu)
    }

    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        let t = lifetime.percpuRef.kill(gracePeriod: lifetime.killGracePeriod)
        return KillReport(strategy: name, action: killAction, killNanoseconds: t.totalNanoseconds,
                          gracePeriodNanoseconds: t.gracePeriodNanoseconds, destroyedAllocator: lifetime.isDestroyed)
    }
}
