import CPlatform
import Glibc

/// A real kernel RCU grace period, waited for from userspace: `membarrier(MEMBARRIER_CMD_GLOBAL)`
/// calls `synchronize_rcu()` when more than one CPU is online (the bpf selftests'
/// `kern_sync_rcu()` relies on it). What the kernel's `percpu_ref_kill` waits for before its
/// switch to atomic mode is confirmed (`call_rcu_hurry`, which skips lazy batching but not the
/// grace period itself).
public enum KernelGracePeriod {
    /// `MEMBARRIER_CMD_QUERY` / `MEMBARRIER_CMD_GLOBAL` (include/uapi/linux/membarrier.h).
    static let query: Int32 = 0
    static let global: Int32 = 1

    /// Why no grace period can be waited for here, or nil when it can.
    public static var unavailableReason: String? {
        if sysconf(Int32(_SC_NPROCESSORS_ONLN)) < 2 { return "one CPU online: membarrier does not wait for a grace period" }
        let supported = CPlatform_membarrier(query, 0)
        if supported < 0 { return "membarrier unavailable (errno \(errno))" }
        if supported & Int(global) == 0 { return "membarrier lacks MEMBARRIER_CMD_GLOBAL" }
        return nil
    }

    /// Waits for one kernel grace period and returns how long it took (ns), or nil when the
    /// kernel refused. The corresponding C function is `membarrier(MEMBARRIER_CMD_GLOBAL, 0, 0)`.
    public static func wait() -> Int? {
        let t0 = TimeStampCounter.nanoseconds()
        guard CPlatform_membarrier(global, 0) == 0 else { return nil }
        return Int(TimeStampCounter.nanoseconds() - t0)
    }
}
