import Benchmark

/// Metrics and checked thresholds shared by the fast-path benchmarks.
enum FastPathThresholds {
    static let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        // 1000 pairs per measured iteration: one clock read costs far less than the work timed.
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 10_000,
        thresholds: [
            // A fast-path allocation that reaches malloc is a bug, not noise.
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p0: 0, .p50: 0, .p100: 0]),
            // Wide enough for a shared 2-CPU machine; a 2x slowdown still fails.
            .wallClock: BenchmarkThresholds(relative: [.p50: 35.0, .p75: 50.0]),
            .throughput: BenchmarkThresholds(relative: [.p50: 35.0, .p75: 50.0]),
        ])
}
