/// One measurement: a row of the tidy results CSV (README "Metrics" and "Output"). The CSV is the source
/// of truth; markdown, mail text and JSON are views of these rows, and `bench compare` reads them.
public struct ResultRow: Equatable, Hashable, Sendable, Codable {
    public static let columns = [
        "run_id", "timestamp", "commit", "host", "cpu_model", "kernel", "swift", "build",
        "strategy", "workload", "phase", "op", "threads", "cpus", "size", "repetition",
        "metric", "value", "unit",
    ]

    // Context: the same for every row of one run.
    public var runID: String
    public var timestamp: String
    public var commit: String
    public var host: String
    public var cpuModel: String
    public var kernel: String
    public var swift: String
    public var build: String
    // The case.
    public var strategy: String
    public var workload: String
    /// `live`, `kill`, `post-kill`, `drain`, `teardown`, or `noop`/`scenario` for special rows.
    public var phase: String
    /// `alloc`, `free`, `pair`, `kill`, `walk`, `drain`, `teardown`.
    public var op: String
    public var threads: Int
    /// The CPU list the workers were pinned to, e.g. `0-1`.
    public var cpus: String
    /// Object size in bytes (the request, without the 8-byte header).
    public var size: Int
    public var repetition: Int
    /// Stable metric names: `mops`, `ns_per_op`, `p50_ns`, ..., `latency_us`, `bytes_peak`, ...
    public var metric: String
    /// nil for a missing value; then `unit` holds `n/a: reason`.
    public var value: Double?
    public var unit: String

    public init(runID: String, timestamp: String, commit: String, host: String, cpuModel: String, kernel: String,
                swift: String, build: String, strategy: String, workload: String, phase: String, op: String,
                threads: Int, cpus: String, size: Int, repetition: Int, metric: String, value: Double?, unit: String) {
        self.runID = runID
        self.timestamp = timestamp
        self.commit = commit
        self.host = host
        self.cpuModel = cpuModel
        self.kernel = kernel
        self.swift = swift
        self.build = build
        self.strategy = strategy
        self.workload = workload
        self.phase = phase
        self.op = op
        self.threads = threads
        self.cpus = cpus
        self.size = size
        self.repetition = repetition
        self.metric = metric
        self.value = value
        self.unit = unit
    }

    /// The identity of a measured quantity across runs: what `bench compare` matches on.
    public struct CaseKey: Hashable, Comparable, Sendable, CustomStringConvertible {
        public let strategy, workload, phase, op: String
        public let threads, size: Int
        public let metric: String
        public static func < (a: CaseKey, b: CaseKey) -> Bool { a.description < b.description }
        public var description: String { "\(strategy)/\(workload)/\(phase)/\(op)/t\(threads)/\(size)B/\(metric)" }
        /// Calibration rows (the host's clock, line and RMW costs, round trips) measure the
        /// machine, not the code: comparisons show them and never judge them.
        public var measuresTheMachine: Bool { phase == "calibration" }
    }

    public var caseKey: CaseKey {
        CaseKey(strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, size: size, metric: metric)
    }
}

/// Which way is better for a metric.
public enum MetricDirection: Sendable {
    case higherIsBetter, lowerIsBetter, neither

    public init(metric: String) {
        switch metric {
        case "mops": self = .higherIsBetter
        case "ns_per_op", "added_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "latency_us", "bytes_peak", "bytes_avg",
             "bytes_kernel", "bytes_model", "bytes_lists", "bytes_lifetime", "bytes_memlock", "bytes_memcg":
            self = .lowerIsBetter
        default: self = .neither
        }
    }
}
