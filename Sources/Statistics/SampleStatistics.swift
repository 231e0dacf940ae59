/// Mean, standard deviation, median, quartiles and coefficient of variation of repetition
/// samples. Tables show the median and IQR: noise on shared machines is episodic (one
/// repetition drops 20–40 %), which mean ± sd hides.
public struct SampleStatistics: Equatable, Sendable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n − 1).
    public let stddev: Double
    public let median: Double
    public let min: Double
    public let max: Double
    /// First and third quartiles (linear interpolation between order statistics, as numpy's
    /// default and R's type 7).
    public let q1: Double
    public let q3: Double
    public var iqr: Double { q3 - q1 }
    /// stddev / mean, 0 when the mean is 0.
    public var cv: Double { mean == 0 ? 0 : stddev / mean }

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = values.count
        let m = values.reduce(0, +) / Double(values.count)
        mean = m
        let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        stddev = values.count > 1 ? (ss / Double(values.count - 1)).squareRoot() : 0
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first!
        max = sorted.last!
        q1 = SampleStatistics.quantile(sorted, 0.25)
        q3 = SampleStatistics.quantile(sorted, 0.75)
    }

    /// The `p` quantile of sorted values, type 7.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
