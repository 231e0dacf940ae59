/// Watermarks, batch and prefill of one per-CPU cache, computed from its unit size exactly as
/// memalloc.c's `init_refill_work`/`prefill_mem_cache` do.
public struct CacheParameters: Equatable, Sendable, CustomStringConvertible {
    /// Below this many free objects, refill.
    public let lowWatermark: Int
    /// Above this many free objects, drain to (low + high) / 2.
    public let highWatermark: Int
    /// Objects moved per refill.
    public let batch: Int
    /// Objects placed in the cache when the allocator is created.
    public let prefill: Int
    public let unitSize: Int

    public init(unitSize: Int) {
        precondition(unitSize > 0)
        self.unitSize = unitSize
        if unitSize <= 256 {
            // Small objects: fixed watermarks, so small caches hold at most 96·256 B = 24 KiB.
            lowWatermark = 32
            highWatermark = 96
        } else {
            // Larger objects scale down so the cache holds about as many bytes as a 256 B cache.
            lowWatermark = max(32 * 256 / unitSize, 1)
            highWatermark = max(96 * 256 / unitSize, 3)
        }
        // Refill three quarters of the gap at once: 48 for ≤ 256 B (memalloc.c's comment:
        // "refill in batches of 48").
        batch = max((highWatermark - lowWatermark) / 4 * 3, 1)
        // "Assume the 1st run of a bpf prog won't do more than 4 allocations from an
        // irq-disabled region if unit size ≤ 256" — else one.
        prefill = unitSize <= 256 ? 4 : 1
    }

    /// The count a drain stops at.
    public var drainTarget: Int { (lowWatermark + highWatermark) / 2 }

    public var description: String {
        "unit \(unitSize) B: low \(lowWatermark), high \(highWatermark), batch \(batch), prefill \(prefill)"
    }
}
