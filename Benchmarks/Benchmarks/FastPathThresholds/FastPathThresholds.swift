import Benchmark

/// Metrics and checked tolerances shared by the fast-path benchmark targets.
///
/// Two checks use them:
/// - `swift package benchmark thresholds check` compares this run's p90 with the committed
///   `Thresholds/<Target>.<name>.p90.json`, within the `.p90` tolerances below. A metric with a
///   value in that file but no entry here is compared strictly (any difference fails), so every
///   metric measured has an entry; a metric with no `.p90` tolerance could never fail there.
/// - `swift package benchmark baseline check NAME` compares this run with a stored baseline at
///   every percentile listed below.
public enum FastPathThresholds {
    public static let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        // 1000 pairs per measured iteration: one clock read costs far less than the work timed.
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 10_000,
        thresholds: [
            // A fast-path operation that reaches malloc is a bug, not noise: 0 at every
            // percentile up to p99 (p100 is left out: the interposer counts every thread's
            // mallocs, and one stray allocation by a runtime thread must not fail the run).
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0]),
            // Time on a shared 2-CPU machine: only a gross slowdown fails. p90 +100 % (more
            // than 2x slower) against the committed thresholds or a baseline; p50 +50 % against
            // a baseline taken on the same machine. An improvement can only be reported at p50.
            .wallClock: BenchmarkThresholds(relative: [.p50: 50.0, .p90: 100.0]),
        ])
}
