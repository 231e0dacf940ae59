/// The values a metric can hold: what the reader accepts. A negative time, rate or size, or one
/// beyond any run (an op of over an hour, a petabyte), is a damaged or hand-made file, and a
/// comparison built on it would print nonsense (`-nan%`, −200 % "improved", 300-digit cells).
public enum MetricValueRange {
    static let hour = 3_600.0
    static let petabyte = Double(1 << 50)
    /// The times this build writes, in ns (a newer build's own `_ns` metric gets the generic bound).
    static let nanoseconds: Set<Metric> = [.nsPerOp, .p50Ns, .p90Ns, .p99Ns, .p999Ns, .maxNs, .blockP99Ns, .resolutionNs, .readPairNs,
                                           .roundTripNs]
    /// The absolute sizes this build writes, in bytes.
    static let sizes: Set<Metric> = [.bytesPeak, .bytesAvg, .bytesKernel, .bytesModel, .bytesLists, .bytesLifetime, .bytesReturned,
                                     .bytesListsPerCPU, .bytesKernelPerCPU, .bytesMemlock, .bytesObjects]

    /// The closed range of `metric`'s values. A metric this build does not know (a newer file)
    /// gets the generic bound: finite and at most 1e15 in magnitude.
    public static func range(of metric: Metric) -> ClosedRange<Double> {
        switch metric {
        // Deltas of system-wide or cgroup counters: another process's frees can make them negative.
        case .bytesSlab, .bytesSlabUnit, .bytesMemcg, .bytesMemcgKernel, .bytesSlabPeak, .bytesSlabAvg: return -petabyte...petabyte
        // Verdicts are checked where they are compared, with their labels (0…3).
        case .verdict: return -1e15...1e15
        case .mops: return 0...1e6
        case .latencyUs: return 0...(hour * 1e6)
        case .overControl: return 0...1e6
        case .mapValues, .outstanding, .objectsAllocated, .objectsDropped, .objectsLeft, .mapsLeft, .kernelReports: return 0...Double(1 << 40)
        case .kernelLegal: return 0...1
        case .windowUs: return 0...(hour * 1e6)
        default:
            if nanoseconds.contains(metric) { return 0...(hour * 1e9) }
            if sizes.contains(metric) { return 0...petabyte }
            return -1e15...1e15
        }
    }

    /// Runs of 2026-12-05 wrote the anatomy's differences under metrics that cannot be negative
    /// (the rest and irq_work outside as ns_per_op or latency_us, a probe's cost as ns_per_op,
    /// the held slab deltas as bytes_peak/bytes_avg); today they are difference_ns, per_event_ns
    /// and bytes_slab_peak/avg. Such rows of a saved run are read as they are, negative or not.
    public static func isLegacyAnatomyDifference(phase: Phase, op: Op, metric: Metric) -> Bool {
        guard phase == .anatomy else { return false }
        switch op {
        case .rest, .irqWorkOutside, .probe: return metric == .nsPerOp || metric == .latencyUs
        case .held: return metric == .bytesPeak || metric == .bytesAvg
        default: return false
        }
    }

    /// Why `value` cannot be a `metric`, or nil when it can.
    public static func problem(_ value: Double, metric: Metric) -> String? {
        let r = range(of: metric)
        if r.contains(value) { return nil }
        if value < 0 && r.lowerBound == 0 { return "\(metric) cannot be negative, found \(value)" }
        return "\(metric) must be within \(ResultsCSV.formatNumber(r.lowerBound))…\(ResultsCSV.formatNumber(r.upperBound)), found \(value)"
    }
}
