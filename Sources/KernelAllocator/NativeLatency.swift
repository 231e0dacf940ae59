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

/// A native ref's get+put timed op by op in the kernel (bpf_ktime_get_ns around each), with the
/// same timed region around its empty step: what the clock itself costs. The percpu_ref's
/// (live and killed) and the shared refcount_t's (live: it has no kill).
public struct NativeRefLatency: Sendable {
    public var phase: RefPhase
    public var cpus: Int
    public var getPut = LatencyHistogram()
    public var empty = LatencyHistogram()
    /// The get+put's histogram of each block on its own (a fresh load and a fresh cgroup), so a
    /// percentile gets an interval over blocks.
    public var getPutBlocks: [LatencyHistogram] = []
}

/// The BPF emulations' get+put timed op by op in the kernel (strategies.bpf.c's `*_acct_timed`),
/// with their object's control (`lazy_acct_timed`, no accounting): that object's clock cost.
public struct EmulatedLatency: Sendable {
    public var phase: RefPhase
    public var cpus: Int
    public var percpuRef = LatencyHistogram()
    public var atomic = LatencyHistogram()
    public var control = LatencyHistogram()
    /// Each block's own histograms (a fresh load each), for intervals over blocks.
    public var percpuRefBlocks: [LatencyHistogram] = []
    public var atomicBlocks: [LatencyHistogram] = []
    /// Each policy's op around the real allocator (policy_timed.bpf.h's `*_pair_timed`): bpf_obj_new
    /// + get and bpf_obj_drop + put timed apart, every block merged; the control is lazy's (the
    /// allocator alone in that object).
    public var newGet = EmulatedHistograms()
    public var dropPut = EmulatedHistograms()

    public init(phase: RefPhase, cpus: Int) {
        self.phase = phase
        self.cpus = cpus
    }

    static func + (a: EmulatedLatency, b: [LatencyHistogram]) -> EmulatedLatency {
        var s = a
        s.atomic = s.atomic + b[0]; s.percpuRef = s.percpuRef + b[1]; s.control = s.control + b[2]
        s.atomicBlocks.append(b[0]); s.percpuRefBlocks.append(b[1])
        return s
    }
}

/// One histogram per emulated policy and the object's control.
public struct EmulatedHistograms: Sendable {
    public var atomic = LatencyHistogram()
    public var percpuRef = LatencyHistogram()
    public var control = LatencyHistogram()

    public init() {}

    /// Adds histograms given in policy_timed.bpf.h's slot order (atomic, pcpu, lazy).
    mutating func add(slotOrder h: [LatencyHistogram]) {
        atomic = atomic + h[0]; percpuRef = percpuRef + h[1]; control = control + h[2]
    }
    public var all: [LatencyHistogram] { [atomic, percpuRef, control] }
}

extension EmulatedLatency {
    /// The pair pass's histograms (slot-major: atomic new+get, atomic drop+put, pcpu …, lazy …) added.
    mutating func addPairs(_ h: [LatencyHistogram]) {
        newGet.add(slotOrder: stride(from: 0, to: h.count, by: 2).map { h[$0] })
        dropPut.add(slotOrder: stride(from: 1, to: h.count, by: 2).map { h[$0] })
    }
}

extension [NativeRefLatency] {
    /// One block's timed histograms added to the merged ones of (phase, cpus), and kept as the block's own.
    mutating func add(phase: RefPhase, cpus: Int, getPut: LatencyHistogram, empty: LatencyHistogram) {
        if let i = firstIndex(where: { $0.phase == phase && $0.cpus == cpus }) {
            self[i].getPut = self[i].getPut + getPut
            self[i].empty = self[i].empty + empty
            self[i].getPutBlocks.append(getPut)
        } else {
            append(NativeRefLatency(phase: phase, cpus: cpus, getPut: getPut, empty: empty, getPutBlocks: [getPut]))
        }
    }
}

extension NativeRefsObject {
    /// nr_hist's slots: the css get+put and its empty step, the shared refcount_t's and its.
    enum HistogramSlot: Int {
        case cssGetPut = 0, cssEmpty, refcountGetPut, refcountEmpty
    }

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
    /// `refcount` times the shared refcount_t's acquire+drop instead of the css get+put.
    static func timedPass(_ object: NativeRefsObject, refcount: Bool = false, cpus: [Int], runs: Int,
                          opsPerRun: Int) throws(KernelCaseFailure) -> (LatencyHistogram, LatencyHistogram) {
        typealias Slot = NativeRefsObject.HistogramSlot
        let getPut = try object.program(refcount ? .rcSharedGetputTimed : .cssGetputTimed)
        let empty = try object.program(refcount ? .rcSharedEmptyTimed : .cssEmptyTimed)
        let slots = refcount ? (Slot.refcountGetPut.rawValue, Slot.refcountEmpty.rawValue) : (Slot.cssGetPut.rawValue, Slot.cssEmpty.rawValue)
        let before = (object.histogram(slots.0), object.histogram(slots.1))
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
        let h = (object.histogram(slots.0) - before.0, object.histogram(slots.1) - before.1)
        let timed = UInt64(cpus.count * runs * opsPerRun)
        guard h.0.total == timed, h.1.total == timed else {
            throw KernelCaseFailure("the latency histograms counted \(h.0.total) get+puts and \(h.1.total) empty steps, the loader timed \(timed) each")
        }
        return h
    }
}
