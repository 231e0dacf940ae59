import Glibc

/// Nanoseconds from CLOCK_MONOTONIC, for one-off control-plane events (kill, grace period,
/// unload walk) — never read per operation on a hot path.
public enum MonotonicClock {
    public static func nanoseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
}
