import Testing
@testable import KernelAllocator

/// The latency histogram's arithmetic is the kernel program's: every value lands in a bucket
/// whose bounds hold it, and percentiles are the upper bounds of the buckets holding them.
struct NativeLatencyTests {
    @Test func everyValueLandsInsideItsBucket() {
        var v: UInt64 = 0
        while v < 200_000 {
            let b = LatencyHistogram.bucket(v), r = LatencyHistogram.bounds(b)
            #expect(r.lower <= Double(v) && Double(v) < r.upper, "\(v) → bucket \(b) \(r)")
            v += v < 64 ? 1 : v / 7
        }
        #expect(LatencyHistogram.bucket(8) == 8 && LatencyHistogram.bounds(8) == (8, 10))
        #expect(LatencyHistogram.bounds(LatencyHistogram.buckets - 1).upper == .infinity)
    }

    @Test func percentilesAreUpperBoundsOfTheirBuckets() {
        var h = LatencyHistogram()
        h.counts[LatencyHistogram.bucket(50)] = 990   // 48–56 ns
        h.counts[LatencyHistogram.bucket(300)] = 9    // 256–320 ns
        h.counts[LatencyHistogram.bucket(5000)] = 1   // 4096–5120 ns
        #expect(h.total == 1000)
        #expect(h.percentile(50) == 56 && h.percentile(99) == 56)
        #expect(h.percentile(99.9) == 320)
        #expect(h.maxUpper == 5120)
        #expect(LatencyHistogram().percentile(50) == nil)
    }
}
