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

    @inlinable @inline(__always) public static func relax() { CPlatform_cpu_relax() }
}
