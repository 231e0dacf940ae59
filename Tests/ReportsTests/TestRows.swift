import Results

/// Builds result rows for tests, as RegressionTests' `makeRow`: one case, context fixed unless given.
func makeRow(strategy: String = "atomic", workload: String = "pair", phase: Phase = .live, op: Op = .pair,
             threads: Int = 1, size: Int = 64, repetition: Int = 0, metric: Metric = .mops, value: Double?,
             unit: String? = nil, runID: String = "run-1", host: String = "host-a") -> ResultRow {
    let units: [Metric: String] = [.mops: "Mops/s", .latencyUs: "us", .bytesPeak: "B", .bytesAvg: "B", .outstanding: "count", .verdict: "count"]
    return ResultRow(runID: runID, timestamp: "2025-01-01T00:00:00Z", commit: "abc1234", host: host, cpuModel: "Test CPU",
                     kernel: "6.8.0", swift: "6.3.1", build: "release", strategy: strategy, workload: workload, phase: phase,
                     op: op, threads: threads, cpus: "0", size: size, repetition: repetition, metric: metric, value: value,
                     unit: unit ?? (value == nil ? "n/a: not measured" : units[metric] ?? "ns"))
}
