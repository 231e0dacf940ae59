import Atomics

/// Queued percpu_ref switches to atomic mode, and the one place that completes them: the
/// userspace counterpart of `call_rcu_hurry(&ref->data->rcu, percpu_ref_switch_to_atomic_rcu)`.
///
/// `PercpuRef.kill(gracePeriod: .queued)` pushes the ref's own link word (a Treiber stack of
/// preallocated records: one CAS, no allocation, no wakeup), so the kill costs its caller what
/// the kernel's does. `serve()` runs where the kernel's RCU machinery would — the runner's
/// coordinator, off the measured path: one `synchronize_rcu` (liburcu QSBR: until every online
/// worker announced a quiescent state), then each queued ref's fold.
public enum PercpuRefSwitchQueue {
    /// The most recently queued ref's words (as an address), 0 when empty.
    static let head = UnsafeAtomic<Int>.create(0)

    /// What serving the queue took, in nanoseconds.
    public struct Service: Equatable, Sendable {
        /// Switches completed by this call.
        public var switches: Int
        /// `synchronize_rcu`: until every online reader passed a quiescent state.
        public var gracePeriodNanoseconds: Int
        /// Folding the per-CPU slots into the shared counts (and dropping the switch references,
        /// which may release).
        public var foldNanoseconds: Int
    }

    static func push(_ ref: PercpuRef) {
        let record = Int(bitPattern: ref.words)
        var top = head.load(ordering: .relaxed)
        while true {
            ref.switchLink.store(top, ordering: .relaxed)
            let (done, now) = head.weakCompareExchange(expected: top, desired: record, ordering: .releasing)
            if done { return }
            top = now
        }
    }

    /// Completes every switch queued so far: one grace period for all of them, then the folds.
    /// Returns nil when nothing was queued. Callable from any thread (an online reader is taken
    /// offline for the wait).
    @discardableResult
    public static func serve() -> Service? {
        var record = head.exchange(0, ordering: .acquiring)
        guard record != 0 else { return nil }
        let gpStart = MonotonicClock.nanoseconds()
        QSBR.whileOffline { QSBR.synchronize() }
        let foldStart = MonotonicClock.nanoseconds()
        var switches = 0
        while record != 0 {
            let ref = PercpuRef(words: UnsafeMutableRawPointer(bitPattern: record)!)
            record = ref.switchLink.load(ordering: .relaxed)
            ref.foldPercpuCounts()  // may release: nothing of `ref` is read after it
            switches += 1
        }
        let end = MonotonicClock.nanoseconds()
        return Service(switches: switches, gracePeriodNanoseconds: foldStart - gpStart, foldNanoseconds: end - foldStart)
    }

    /// Whether a switch is waiting to be served.
    public static var isEmpty: Bool { head.load(ordering: .acquiring) == 0 }
}
