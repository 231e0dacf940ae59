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
    public var phase: Phase
    public var op: Op
    public var threads: Int
    /// The CPU list the workers were pinned to, e.g. `0-1`.
    public var cpus: String
    /// Object size in bytes (the request, without the 8-byte header).
    public var size: Int
    public var repetition: Int
    public var metric: Metric
    /// nil for a missing value; then `unit` holds `n/a: reason`.
    public var value: Double?
    public var unit: String

    public init(runID: String, timestamp: String, commit: String, host: String, cpuModel: String, kernel: String,
                swift: String, build: String, strategy: String, workload: String, phase: Phase, op: Op,
                threads: Int, cpus: String, size: Int, repetition: Int, metric: Metric, value: Double?, unit: String) {
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

    /// A row holding only a run's context columns: the template callers fill (case, phase, op,
    /// metric and value are blank until they do).
    public static func context(runID: String, timestamp: String, commit: String, host: String, cpuModel: String,
                               kernel: String, swift: String, build: String) -> ResultRow {
        ResultRow(runID: runID, timestamp: timestamp, commit: commit, host: host, cpuModel: cpuModel, kernel: kernel,
                  swift: swift, build: build, strategy: "", workload: "", phase: Phase(rawValue: ""), op: Op(rawValue: ""),
                  threads: 0, cpus: "", size: 0, repetition: 0, metric: Metric(rawValue: ""), value: nil, unit: "")
    }

    /// The identity of a measured quantity across runs: what `bench compare` matches on.
    public struct CaseKey: Hashable, Comparable, Sendable, CustomStringConvertible {
        public let strategy, workload: String
        public let phase: Phase
        public let op: Op
        public let threads, size: Int
        public let metric: Metric
        public init(strategy: String, workload: String, phase: Phase, op: Op, threads: Int, size: Int, metric: Metric) {
            self.strategy = strategy
            self.workload = workload
            self.phase = phase
            self.op = op
            self.threads = threads
            self.size = size
            self.metric = metric
        }
        public static func < (a: CaseKey, b: CaseKey) -> Bool { a.description < b.description }
        public var description: String { "\(strategy)/\(workload)/\(phase)/\(op)/t\(threads)/\(size)B/\(metric)" }
        /// Calibration rows (the host's clock, line and RMW costs, round trips) measure the
        /// machine, not the code: comparisons show them and never judge them.
        public var measuresTheMachine: Bool { phase == .calibration }
        /// A case comparisons show with its interval and never call: the machine's calibration,
        /// and `max_ns`, one extreme sample per repetition (the host's worst preemption in it,
        /// not the code's: a fresh-clone A/A of one binary called global's kill-phase free
        /// max "regressed" ×2.1 over 4 + 4 invocations while the host's round trip moved 320 → 68 ns).
        public var isShownNotJudged: Bool { measuresTheMachine || metric == .maxNs }
    }

    public var caseKey: CaseKey {
        CaseKey(strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, size: size, metric: metric)
    }
}

