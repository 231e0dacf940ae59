import CPlatform
import Glibc

/// Fenced TSC reads and the TSC frequency, for the latency pass.
public enum TimeStampCounter {
    /// `lfence; rdtsc`: use before the measured code.
    @inlinable @inline(__always) public static func start() -> UInt64 { CPlatform_rdtsc_fenced() }
    /// `rdtscp; lfence`: use after the measured code.
    @inlinable @inline(__always) public static func stop() -> UInt64 { CPlatform_rdtscp_fenced() }

    /// Monotonic nanoseconds (`clock_gettime(CLOCK_MONOTONIC)`).
    @inlinable public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Ticks per nanosecond, measured against CLOCK_MONOTONIC over `milliseconds`.
    public static func measureTicksPerNanosecond(milliseconds: Int = 50) -> Double {
        let t0 = nanoseconds(), c0 = start()
        var t1 = t0
        while t1 - t0 < UInt64(milliseconds) * 1_000_000 { t1 = nanoseconds() }
        let c1 = stop()
        return Double(c1 &- c0) / Double(t1 - t0)
    }

    /// The smallest observed cost of an empty start/stop pair, in ticks: subtracted from samples.
    public static func measureOverheadTicks(samples: Int = 10_000) -> UInt64 {
        var best = UInt64.max
        for _ in 0..<samples {
            let a = start()
            let b = stop()
            best = min(best, b &- a)
        }
        return best
    }

    /// The smallest step the counter is seen to advance by, in ticks: back-to-back reads that
    /// differ at all differ by at least this much. On a bare-metal x86 TSC it is a few ticks;
    /// under some hypervisors the guest's TSC advances in coarse steps (seen here: ~25 ticks =
    /// 10 ns), and no single-operation latency can be resolved below that.
    public static func measureResolutionTicks(samples: Int = 20_000) -> UInt64 {
        var best = UInt64.max
        var previous = start()
        for _ in 0..<samples {
            let t = start()
            let d = t &- previous
            if d > 0 && d < best { best = d }
            previous = t
        }
        return best == .max ? 1 : best
    }

    @inlinable @inline(__always) public static func relax() { CPlatform_cpu_relax() }
}
