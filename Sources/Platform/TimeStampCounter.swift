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

    /// The mean cost of an empty start/stop pair, in ticks: what a reading that is summed or
    /// averaged includes besides the timed code. With a counter that advances in steps single
    /// pairs read 0 or a step, and only their mean is unbiased (the minimum is 0 or one step).
    public static func measureMeanOverheadTicks(samples: Int = 256) -> Double {
        var total: UInt64 = 0
        for _ in 0..<samples {
            let a = start()
            total &+= stop() &- a
        }
        return Double(total) / Double(samples)
    }

    /// The step the counter advances by, in ticks: the greatest common divisor of the
    /// differences between back-to-back reads (the smallest difference alone would be the
    /// read's own cost when a read takes longer than one step). On a bare-metal x86 TSC it is
    /// one tick; under some hypervisors the guest's TSC advances in coarse steps (seen here:
    /// 26 ticks = 10 ns), and no single-operation latency can be resolved below that.
    public static func measureResolutionTicks(samples: Int = 20_000) -> UInt64 {
        func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }
        var step: UInt64 = 0
        var previous = start()
        for _ in 0..<samples {
            let t = start()
            step = gcd(step, t &- previous)
            previous = t
            if step == 1 { break }
        }
        return max(step, 1)
    }

    @inlinable @inline(__always) public static func relax() { CPlatform_cpu_relax() }
}
