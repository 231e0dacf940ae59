/// What a row's number is: the `metric` column of the results CSV, with its unit, which way is
/// better, and what it means (`bench list` prints the catalog). Open for the same reason as
/// `Phase`: an old file's unknown metric reads, is shown, and is never judged.
public struct Metric: ColumnName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let mops = Metric(rawValue: "mops")
    public static let nsPerOp = Metric(rawValue: "ns_per_op")
    public static let addedNs = Metric(rawValue: "added_ns")
    public static let nullNs = Metric(rawValue: "null_ns")
    public static let overNativeNs = Metric(rawValue: "over_native_ns")
    public static let overControl = Metric(rawValue: "over_control")
    public static let p50Ns = Metric(rawValue: "p50_ns")
    public static let p90Ns = Metric(rawValue: "p90_ns")
    public static let p99Ns = Metric(rawValue: "p99_ns")
    public static let p999Ns = Metric(rawValue: "p999_ns")
    public static let maxNs = Metric(rawValue: "max_ns")
    /// One block's own 99th percentile (a histogram per fresh load), for an interval over blocks.
    public static let blockP99Ns = Metric(rawValue: "block_p99_ns")
    /// A time got as a difference of measured times (the anatomy's irq_work outside its handler
    /// and its rest): ns per op that can come out negative when the other estimates overshoot.
    public static let differenceNs = Metric(rawValue: "difference_ns")
    /// Phase anatomy: time per event (one irq_work outside its handler, one probe's firing), got
    /// as a difference of measured times: it can come out negative.
    public static let perEventNs = Metric(rawValue: "per_event_ns")
    public static let latencyUs = Metric(rawValue: "latency_us")
    public static let mapValues = Metric(rawValue: "map_values")
    public static let bytesPeak = Metric(rawValue: "bytes_peak")
    public static let bytesAvg = Metric(rawValue: "bytes_avg")
    public static let resolutionNs = Metric(rawValue: "resolution_ns")
    public static let readPairNs = Metric(rawValue: "read_pair_ns")
    public static let roundTripNs = Metric(rawValue: "round_trip_ns")
    public static let bytesKernel = Metric(rawValue: "bytes_kernel")
    public static let bytesModel = Metric(rawValue: "bytes_model")
    public static let bytesLists = Metric(rawValue: "bytes_lists")
    public static let bytesLifetime = Metric(rawValue: "bytes_lifetime")
    public static let bytesReturned = Metric(rawValue: "bytes_returned")
    public static let bytesListsPerCPU = Metric(rawValue: "bytes_lists_per_cpu")
    public static let bytesKernelPerCPU = Metric(rawValue: "bytes_kernel_per_cpu")
    public static let bytesMemlock = Metric(rawValue: "bytes_memlock")
    public static let bytesSlab = Metric(rawValue: "bytes_slab")
    public static let bytesSlabUnit = Metric(rawValue: "bytes_slab_unit")
    public static let bytesMemcg = Metric(rawValue: "bytes_memcg")
    public static let bytesMemcgKernel = Metric(rawValue: "bytes_memcg_kernel")
    public static let bytesObjects = Metric(rawValue: "bytes_objects")
    public static let outstanding = Metric(rawValue: "outstanding")
    public static let verdict = Metric(rawValue: "verdict")
    /// A safety scenario's sequence in the real kernel: 1 every program verified and the sequence ran, 0 refused.
    public static let kernelLegal = Metric(rawValue: "kernel_legal")
    public static let objectsAllocated = Metric(rawValue: "objects_allocated")
    public static let objectsDropped = Metric(rawValue: "objects_dropped")
    public static let objectsLeft = Metric(rawValue: "objects_left")
    public static let mapsLeft = Metric(rawValue: "maps_left")
    public static let kernelReports = Metric(rawValue: "kernel_reports")
    public static let windowUs = Metric(rawValue: "window_us")
    public static let per1000Ops = Metric(rawValue: "per_1000_ops")
    public static let bytesSwing = Metric(rawValue: "bytes_swing")
    /// Phase anatomy: the slab caches' peak and average over the level before the churn, a delta
    /// that is negative when the level falls (objects come back from per-CPU free lists).
    public static let bytesSlabPeak = Metric(rawValue: "bytes_slab_peak")
    public static let bytesSlabAvg = Metric(rawValue: "bytes_slab_avg")

    /// Which way is better; `neither` for an unknown metric (compare shows it, never judges it).
    public var direction: MetricDirection { Self.byMetric[self]?.direction ?? .neither }
    /// The unit a present value of this metric is written in.
    public var unit: String? { Self.byMetric[self]?.unit }
    public var meaning: String? { Self.byMetric[self]?.meaning }
    /// The latency pass's percentiles, in the order they are printed.
    public static let percentiles: [Metric] = [.p50Ns, .p90Ns, .p99Ns, .p999Ns, .maxNs]
    public var isPercentile: Bool { Self.percentiles.contains(self) }
    /// Metrics ab judges only outside the larger side's spread between invocations: one-off
    /// events timed once per repetition, and the 99.9th percentile (a handful of samples per
    /// pass, each a host preemption as often as the code) move more from one process to the
    /// next than throughput does.
    /// Metrics whose unit is the row's evidence (labels, addresses, the verifier's words): it
    /// differs run to run, so comparisons never require it to match.
    public var unitIsEvidence: Bool { self == .verdict || self == .kernelLegal }
    public var isSpreadBanded: Bool { self == .latencyUs || self == .p999Ns }

    static let byMetric = Dictionary(uniqueKeysWithValues: MetricDefinition.catalog.map { ($0.metric, $0) })
}

/// Which way is better for a metric.
public enum MetricDirection: Sendable {
    case higherIsBetter, lowerIsBetter, neither
}
