/// The stable metric names of the results CSV, with what each means.
public enum MetricCatalog {
    public static let all: [(String, String)] = [
        ("mops", "million operations per second, summed over the case's workers (higher is better)"),
        ("ns_per_op", "one worker's average nanoseconds per operation (lower is better)"),
        ("p50_ns", "latency pass: median of single operations, fenced rdtsc, timer overhead subtracted"),
        ("p90_ns", "latency pass: 90th percentile, ns"),
        ("p99_ns", "latency pass: 99th percentile, ns"),
        ("p999_ns", "latency pass: 99.9th percentile, ns"),
        ("max_ns", "latency pass: largest single operation, ns"),
        ("latency_us", "one-off events in µs: kill (its caller's cost), confirm (kill until the switch to atomic is done), grace (the grace period alone), fold, unload walk, destroy, teardown"),
        ("map_values", "map values visited by the unload walk"),
        ("bytes_peak", "bytes of slabs the allocator held from node memory, peak over the phase"),
        ("bytes_avg", "the same, averaged over the phase's samples"),
        ("resolution_ns", "host calibration: the smallest step the TSC advances by; no latency below it is resolved"),
        ("read_pair_ns", "host calibration: the fenced rdtsc/rdtscp pair's own cost, subtracted from latency samples"),
        ("round_trip_ns", "cross-core ping-pong measured before the repetition (phase calibration): flags host episodes"),
        ("outstanding", "objects still allocated after teardown (must be 0)"),
        ("verdict", "safety scenario outcome: 0 safe, 1 leak, 2 use-after-free (unit: label, expectation, evidence)"),
    ]
}
