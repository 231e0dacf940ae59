/// The per-object accounting `percpu-ref` and `hybrid` share: `percpu_ref_get` on every
/// allocation, `percpu_ref_tryget` through a surviving reference, `percpu_ref_put` on every
/// free, and a kill that is `percpu_ref_kill` with a real grace period. They differ only in
/// when the kill comes (the allocator map's close, or the last used_allocators reference).
public protocol PercpuRefCounting: LifetimeStrategy {
    /// What the kill report says happened at the kill.
    static var killAction: String { get }
}

extension PercpuRefCounting {
    @inlinable @inline(__always)
    public static func objectAllocated(_ lifetime: AllocatorLifetime, cpu: Int) { lifetime.percpuRef.get(cpu: cpu) }

    @inlinable @inline(__always)
    public static func tryAcquireForAllocation(_ lifetime: AllocatorLifetime, cpu: Int) -> Bool {
        lifetime.percpuRef.tryget(cpu: cpu)
    }

    @inlinable @inline(__always)
    public static func objectFreed(_ lifetime: AllocatorLifetime, cpu: Int) { lifetime.percpuRef.put(cpu: cpu) }

    public static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport {
        let t = lifetime.percpuRef.kill(gracePeriod: .synchronize)
        return KillReport(strategy: name, action: killAction, killNanoseconds: t.totalNanoseconds,
                          gracePeriodNanoseconds: t.gracePeriodNanoseconds, destroyedAllocator: lifetime.isDestroyed)
    }
}
