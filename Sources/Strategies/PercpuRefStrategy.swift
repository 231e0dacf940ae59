import MemAlloc

/// Kumar's proposal: `percpu_ref_get/put` on every `unit_alloc/unit_free`. The allocator map
/// holds the initial reference and kills it when the map goes; from then on every get/put is
/// an atomic RMW ("which will kill performance" — but only frees remain, since allocating
/// needs the map).
public enum PercpuRefStrategy: LifetimeStrategy {
    public static let name = "percpu-ref"
    public static let summary = "percpu_ref per object: per-CPU counts while the allocator map lives, atomic after its kill"
    public static let postKillAllocation = PostKillAllocation.allowed(
        "through a surviving reference: percpu_ref_tryget (inc-not-zero in atomic mode); tryget_live fails")
    public static let countsObjects = true
    public static let usesPercpuRef = true

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
        return KillReport(strategy: name, action: "percpu_ref_kill: ATOMIC set, base dropped, grace period, per-CPU sums folded",
                          killNanoseconds: t.totalNanoseconds, gracePeriodNanoseconds: t.gracePeriodNanoseconds,
                          destroyedAllocator: lifetime.isDestroyed)
    }
}
