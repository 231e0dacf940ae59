/// `percpu_ref_put` cut at its window, for the checked model's paused-put scenario: the mode
/// check and the store it chose, as two calls. `put(cpu:)` is exactly `finishPut(percpu:
/// putReadsPercpuMode(), cpu:)`; the grace period of a kill covers the two only when the
/// caller keeps them in one read-side section.
extension PercpuRef {
    /// The first half of `put`: whether the flags still say percpu mode (relaxed, as `put`).
    public func putReadsPercpuMode() -> Bool { flags.load(ordering: .relaxed) & PercpuRef.atomicFlag == 0 }

    /// The second half of `put`: the per-CPU store when `percpu`, else the atomic decrement
    /// (which may release).
    public func finishPut(percpu: Bool, cpu: Int) {
        if percpu {
            let s = slot(cpu)
            s.store(s.load(ordering: .relaxed) &- 1, ordering: .relaxed)
        } else {
            putAtomic()
        }
    }
}
