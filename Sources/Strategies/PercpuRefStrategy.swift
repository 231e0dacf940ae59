import MemAlloc

/// Kumar's proposal: `percpu_ref_get/put` on every `unit_alloc/unit_free`. The allocator map
/// holds the initial reference and kills it when the map goes; from then on every get/put is
/// an atomic RMW ("which will kill performance" — but only frees remain, since allocating
/// needs the map).
public enum PercpuRefStrategy: PercpuRefCounting {
    public static let name = "percpu-ref"
    public static let summary = "percpu_ref per object: per-CPU counts while the allocator map lives, atomic after its kill"
    public static let whyNoAllocationAfterKill =
        "the allocator map is gone: bpf_obj_alloc needs it, so only frees remain (each put an RMW once atomic mode is confirmed)"
    public static let countsObjects = true
    public static let usesPercpuRef = true

    public static let killAction = "percpu_ref_kill: ATOMIC set, base dropped, grace period, per-CPU sums folded"
}
