import Atomics
import CURCU

/// The userspace grace period: liburcu's QSBR flavour (as lib/percpu-refcount.c waits for RCU before its switch to atomic).
///
/// A registered, online thread is inside a read-side critical section everywhere except at the
/// quiescent states it announces, so percpu-mode `get`/`put` need no read lock. A grace period
/// (`synchronize`) ends once every online registered thread has announced a quiescent state or
/// gone offline; unregistered and offline threads are never waited for.
///
/// Contract for workers: call `quiescentState()` between batches, and go `offline()` before
/// blocking (a barrier, a join) — an online thread that blocks stalls every grace period.
public enum QSBR {
    /// Bumped (release) at every quiescent state, offline and unregistration, and read
    /// (acquire) after each grace period. liburcu's own barriers order memory for real; this
    /// edge makes the same order visible to ThreadSanitizer, which cannot see into liburcu.
    /// Touched only outside timed regions.
    @usableFromInline static let quiescentEpoch = UnsafeAtomic<Int>.create(0)

    /// Registers the calling thread as a reader, online. The corresponding C function is
    /// `urcu_qsbr_register_thread`.
    public static func registerThread() { CURCU_register_thread() }

    /// Unregisters the calling thread. The corresponding C function is `urcu_qsbr_unregister_thread`.
    public static func unregisterThread() {
        quiescentEpoch.wrappingIncrement(ordering: .releasing)
        CURCU_unregister_thread()
    }

    /// Announces a quiescent state. The corresponding C function is `urcu_qsbr_quiescent_state`.
    @inlinable
    public static func quiescentState() {
        quiescentEpoch.wrappingIncrement(ordering: .releasing)
        CURCU_quiescent_state()
    }

    /// Takes the calling thread offline (an extended quiescent state). The corresponding C
    /// function is `urcu_qsbr_thread_offline`.
    public static func offline() {
        quiescentEpoch.wrappingIncrement(ordering: .releasing)
        CURCU_thread_offline()
    }

    /// Brings the calling thread back online. The corresponding C function is
    /// `urcu_qsbr_thread_online`.
    public static func online() { CURCU_thread_online() }

    public static var isRegistered: Bool { CURCU_is_registered() != 0 }
    public static var isOnline: Bool { CURCU_is_online() != 0 }

    /// Waits for a grace period. Callable from any thread (an online caller is taken offline for
    /// the wait). The corresponding C function is `urcu_qsbr_synchronize_rcu`.
    public static func synchronize() {
        CURCU_synchronize()
        _ = quiescentEpoch.load(ordering: .acquiring)
    }

    /// Runs `body` with the calling thread offline if it is an online reader, so that a lock or
    /// a grace period waited for inside cannot deadlock against this thread's own read side.
    public static func whileOffline<R>(_ body: () throws -> R) rethrows -> R {
        let wasOnline = isOnline
        if wasOnline { offline() }
        defer { if wasOnline { online() } }
        return try body()
    }
}
