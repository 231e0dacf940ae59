import Histogram
import Platform
import Results

/// The latency pass: each operation timed alone with fenced TSC reads (`lfence; rdtsc` before,
/// `rdtscp; lfence` after), the calibrated empty-pair overhead subtracted, ticks converted to ns
/// with the measured TSC frequency, recorded per worker into an HdrHistogram, merged later.
struct LatencyRecorder {
    var alloc = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
    var free = Histogram<UInt64>(highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
    let overheadTicks: UInt64
    let ticksPerNs: Double
    var failedAllocations = 0
    /// What the pre-free writes summed to, kept so they are not optimised away.
    var touched: UInt8 = 0

    init(overheadTicks: UInt64, ticksPerNs: Double) {
        self.overheadTicks = overheadTicks
        self.ticksPerNs = ticksPerNs
    }

    @inline(__always) func ns(_ ticks: UInt64) -> UInt64 {
        let t = ticks > overheadTicks ? ticks - overheadTicks : 0
        return UInt64((Double(t) / ticksPerNs).rounded())
    }

    /// One free timed alone into `free` (the frees after the kill: no allocation is possible).
    @inline(__always)
    mutating func timeFree<T: WorkloadTarget>(_ target: T, _ object: UnsafeMutableRawPointer, cpu: Int) {
        let t0 = TimeStampCounter.start()
        target.free(object, cpu: cpu)
        let t1 = TimeStampCounter.stop()
        _ = free.record(ns(t1 &- t0))
    }

    /// Takes each object of `slots` out of its slot (untimed) and frees it, timed alone: the
    /// latency of the frees after the kill. The objects are written first, chunk by chunk, as
    /// the chunked frees write theirs, so both start from the same cache state.
    mutating func freeSlots<T: WorkloadTarget>(_ target: T, cpu: Int, slots: Range<Int>, chunk: Int) {
        var sink: UInt8 = 0
        var start = slots.lowerBound
        while start < slots.upperBound {
            let end = min(start + chunk, slots.upperBound)
            SlotTouch.touch(target, cpu: cpu, slots: start..<end, sink: &sink)
            for slot in start..<end {
                if let p = target.exchange(slot: slot, with: nil, cpu: cpu) { timeFree(target, p, cpu: cpu) }
            }
            start = end
        }
        touched &+= sink // keeps the writes
    }

    /// `pattern` objects allocated one by one (each timed), then freed one by one (each timed),
    /// `rounds` times: 1 is the pair pattern, 256 the batch pattern (crosses the watermarks).
    mutating func run<T: WorkloadTarget>(_ target: T, cpu: Int, size: Int, pattern: Int, rounds: Int,
                                         scratch: UnsafeMutablePointer<UnsafeMutableRawPointer>) {
        for _ in 0..<rounds {
            var n = 0
            while n < pattern {
                let t0 = TimeStampCounter.start()
                let p = target.allocate(size: size, cpu: cpu)
                let t1 = TimeStampCounter.stop()
                guard let q = p else { failedAllocations += 1; break }
                _ = alloc.record(ns(t1 &- t0))
                scratch[n] = q
                n += 1
            }
            for i in 0..<n {
                let t0 = TimeStampCounter.start()
                target.free(scratch[i], cpu: cpu)
                let t1 = TimeStampCounter.stop()
                _ = free.record(ns(t1 &- t0))
            }
        }
    }
}
