import Platform

/// A log-linear latency histogram as native_refs.bpf.c counts it: bucket v for v < 8 ns, then
/// four buckets per power of two (25 % wide); the last bucket holds everything from ~115 µs.
public struct LatencyHistogram: Sendable, Equatable {
    public static let buckets = 64
    public var counts: [UInt64]

    public init(counts: [UInt64] = [UInt64](repeating: 0, count: LatencyHistogram.buckets)) { self.counts = counts }

    public var total: UInt64 { counts.reduce(0, +) }

    /// Bucket `i`'s range in ns, [lower, upper); the last bucket's upper bound is infinite.
    public static func bounds(_ i: Int) -> (lower: Double, upper: Double) {
        if i < 8 { return (Double(i), Double(i + 1)) }
        let msb = (i - 8) / 4 + 3, sub = (i - 8) % 4
        let step = Double(1 << (msb - 2))
        return (Double(4 + sub) * step, i == buckets - 1 ? .infinity : Double(5 + sub) * step)
    }

    /// The bucket the kernel program puts `ns` in (the same arithmetic, for tests).
    public static func bucket(_ ns: UInt64) -> Int {
        if ns < 8 { return Int(ns) }
        let msb = 63 - ns.leadingZeroBitCount
        return min(8 + (msb - 3) * 4 + Int((ns >> UInt64(msb - 2)) & 3), buckets - 1)
    }

    /// The upper bound of the bucket holding the `p`-th percentile: every op at that rank took
    /// at most this long (nil when empty).
    public func percentile(_ p: Double) -> Double? {
        let n = total
        guard n > 0 else { return nil }
        // The nearest-rank percentile; the epsilon keeps 99.9 % of 1000 at rank 999, not 1000.
        let rank = UInt64((p / 100 * Double(n) - 1e-9).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() {
            seen += c
            if seen >= max(rank, 1) { return Self.bounds(i).upper }
        }
        return nil
    }

    /// The upper bound of the highest non-empty bucket.
    public var maxUpper: Double? { counts.lastIndex { $0 > 0 }.map { Self.bounds($0).upper } }

    public static func + (a: LatencyHistogram, b: LatencyHistogram) -> LatencyHistogram {
        LatencyHistogram(counts: zip(a.counts, b.counts).map { $0 + $1 })
    }
    public static func - (a: LatencyHistogram, b: LatencyHistogram) -> LatencyHistogram {
        LatencyHistogram(counts: zip(a.counts, b.counts).map { $0 &- $1 })
    }
}

/// The percpu_ref get+put timed op by op in the kernel (bpf_ktime_get_ns around each), with the
/// same timed region around the empty step: what the clock itself costs.
public struct PercpuRefLatency: Sendable {
    public var phase: RefPhase
    public var cpus: Int
    public var getPut = LatencyHistogram()
    public var empty = LatencyHistogram()
}

/// The BPF emulations' get+put timed op by op in the kernel (strategies.bpf.c's `*_acct_timed`),
/// with their object's control (`lazy_acct_timed`, no accounting): that object's clock cost.
public struct EmulatedLatency: Sendable {
    public var phase: RefPhase
    public var cpus: Int
    public var percpuRef = LatencyHistogram()
    public var atomic = LatencyHistogram()
    public var control = LatencyHistogram()

    public init(phase: RefPhase, cpus: Int) {
        self.phase = phase
        self.cpus = cpus
    }

    static func + (a: EmulatedLatency, b: [LatencyHistogram]) -> EmulatedLatency {
        var s = a
        s.atomic = s.atomic + b[0]; s.percpuRef = s.percpuRef + b[1]; s.control = s.control + b[2]
        return s
    }
}

extension NativeRefsObject {
    /// `which` (0 the get+put, 1 the empty step) summed over every CPU.
    func histogram(_ which: Int) -> LatencyHistogram {
        guard let bss = object.bss, let at = object.bssOffset(of: NativeRefsGlobal.nrHist) else { return LatencyHistogram() }
        let n = LatencyHistogram.buckets, cpus = min(KernelCase.possibleCPUs, ProvenanceCounters.maxCPUs)
        var h = LatencyHistogram()
        for cpu in 0..<cpus {
            let base = at + ((which * ProvenanceCounters.maxCPUs + cpu) * n) * 8
            guard base + n * 8 <= object.bssSize else { break }
            for i in 0..<n { h.counts[i] += bss.load(fromByteOffset: base + i * 8, as: UInt64.self) }
        }
        return h
    }
}

extension NativeRefs {
    /// Runs per worker `runs` × `opsPerRun` timed get+puts and as many timed empty steps,
    /// alternating, on `cpus`; the histograms' counts must equal the ops timed.
    static func timedPass(_ object: NativeRefsObject, cpus: [Int], runs: Int, opsPerRun: Int) throws(KernelCaseFailure) -> (LatencyHistogram, LatencyHistogram) {
        let getPut = try object.program(.cssGetputTimed), empty = try object.program(.cssEmptyTimed)
        let before = (object.histogram(0), object.histogram(1))
        let results = WorkerResults(count: cpus.count)
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    for _ in 0..<runs {
                        for p in [getPut, empty] where try p.run(iterations: opsPerRun, base: 0) != 0 {
                            throw KernelCaseFailure("\(p.name): an acquire failed on a timed run")
                        }
                    }
                    results.set(index, .success(KernelTotals()))
                } catch { results.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in results.all { if case .failure(let e)? = r { throw e } }
        let h = (object.histogram(0) - before.0, object.histogram(1) - before.1)
        let timed = UInt64(cpus.count * runs * opsPerRun)
        guard h.0.total == timed, h.1.total == timed else {
            throw KernelCaseFailure("the latency histograms counted \(h.0.total) get+puts and \(h.1.total) empty steps, the loader timed \(timed) each")
        }
        return h
    }
}
