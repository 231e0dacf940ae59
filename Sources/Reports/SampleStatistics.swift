/// Mean, standard deviation, median and coefficient of variation of repetition samples.
public struct SampleStatistics: Equatable, Sendable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n − 1).
    public let stddev: Double
    public let median: Double
    public let min: Double
    public let max: Double
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
    }
}
