import Foundation

/// Change points of a series by E-Divisive means (Matteson & James 2014) with the t-test
/// significance check and the split/merge steps of Apache Otava (formerly Hunter; Fleming et al.,
/// "Hunter: Using Change Point Detection to Hunt for Performance Regressions", ICPE 2023),
/// written to give the same answers as `otava.analysis.compute_change_points` (apache-otava
/// 0.8.0), which `scripts/ci-history-checks` checks on the same series.
///
/// Split: sliding windows of `windowLength` points, half a window apart; in each, E-Divisive
/// bisects where the energy statistic q̂ is largest, as long as a two-sample t-test between the
/// two sides gives p ≤ 10 × `maxPValue` ("weak" change points). Merge: repeatedly drop the weak
/// point with the largest p (while p ≥ `maxPValue`), then the one with the smallest relative
/// change (while ≤ `minMagnitude`), recomputing its neighbours' tests.
public struct EDivisive: Equatable, Sendable {
    public var windowLength: Int
    public var maxPValue: Double
    /// Smallest relative change of the means, max(|after/before − 1|, |before/after − 1|), kept.
    public var minMagnitude: Double

    /// Otava's defaults.
    public init(windowLength: Int = 50, maxPValue: Double = 0.001, minMagnitude: Double = 0) {
        precondition(windowLength >= 2, "window length must be at least 2")
        self.windowLength = windowLength
        self.maxPValue = maxPValue
        self.minMagnitude = minMagnitude
    }

    /// The t-test between the points before and after a change point, up to its neighbours.
    public struct Stats: Equatable, Sendable {
        public var meanBefore, meanAfter: Double
        /// Population standard deviations (numpy's default), as Otava computes them.
        public var stdBefore, stdAfter: Double
        public var pValue: Double

        /// after/before − 1; from a mean of 0 it is ±infinity (printed ±inf%), never a "+0.0 %" step.
        public var forwardChange: Double {
            guard meanBefore != 0 else { return meanAfter == 0 ? 0 : meanAfter > 0 ? .infinity : -.infinity }
            return meanAfter / meanBefore - 1
        }
        public var magnitude: Double {
            max(abs(forwardChange), abs(meanAfter == 0 ? 0 : meanBefore / meanAfter - 1))
        }
    }

    public struct ChangePoint: Equatable, Sendable {
        /// The first point of the new regime.
        public var index: Int
        public var qhat: Double
        public var stats: Stats
    }

    /// The change points of `series`, sorted by index.
    public func changePoints(_ series: [Double]) -> [ChangePoint] {
        let p = maxPValue
        let firstPass = p < 0.05 ? p * 10 : (p < 0.5 ? p * 2 : p)
        let weak = split(series, maxPValue: firstPass)
        return merge(weak, series)
    }

    // MARK: Split

    func split(_ series: [Double], maxPValue: Double) -> [ChangePoint] {
        var points: [ChangePoint] = []
        var start = 0
        let step = windowLength / 2
        while start < series.count {
            let end = min(start + windowLength, series.count)
            let found = Self.divisive(Array(series[start..<end]), maxPValue: maxPValue).map { cp -> ChangePoint in
                var shifted = cp
                shifted.index += start
                return shifted
            }
            start = max(found.last?.index ?? 0, start + step)
            for cp in found where !points.contains(where: { $0.index == cp.index }) { points.append(cp) }
        }
        points.sort { $0.index < $1.index }
        let bounds = Self.intervals(points.map(\.index), count: series.count)
        return points.map { Self.recomputed($0, series, bounds) }
    }

    /// E-Divisive on one window: bisect the interval with the largest q̂ while the t-test agrees.
    static func divisive(_ window: [Double], maxPValue: Double) -> [ChangePoint] {
        let energy = PairDistanceSums(window)
        var points: [ChangePoint] = []
        while true {
            let bounds = intervals(points.map(\.index), count: window.count)
            var best: (index: Int, qhat: Double, interval: Int)?
            for (k, interval) in bounds.enumerated() where interval.count > 1 {
                let candidate = energy.bestSplit(interval)
                // Python's max keeps the first of equal candidates.
                if best == nil || candidate.qhat > best!.qhat { best = (candidate.index, candidate.qhat, k) }
            }
            guard let best else { break }
            let interval = bounds[best.interval]
            let stats = tTest(Array(window[interval.lowerBound..<best.index]), Array(window[best.index..<interval.upperBound]))
            guard stats.pValue <= maxPValue else { break }
            points.append(ChangePoint(index: best.index, qhat: best.qhat, stats: stats))
            points.sort { $0.index < $1.index }
        }
        return points
    }

    // MARK: Merge

    func merge(_ weak: [ChangePoint], _ series: [Double]) -> [ChangePoint] {
        var points = weak
        while !points.isEmpty {
            var weakest = Self.firstIndex(of: points, maximizing: { $0.stats.pValue })
            if points[weakest].stats.pValue < maxPValue {
                weakest = Self.firstIndex(of: points, maximizing: { -$0.stats.magnitude })
                if points[weakest].stats.magnitude > minMagnitude { return points }
            }
            points.remove(at: weakest)
            let bounds = Self.intervals(points.map(\.index), count: series.count)
            // Otava 0.8.0 recomputes the points at `weakest` and `weakest + 1` (the one after the
            // removed point and the one after that), not the one before it; kept for identical answers.
            for k in [weakest, weakest + 1] where k < points.count {
                points[k] = Self.recomputed(points[k], series, bounds)
            }
        }
        return points
    }

    static func firstIndex(of points: [ChangePoint], maximizing key: (ChangePoint) -> Double) -> Int {
        var best = 0
        for i in points.indices.dropFirst() where key(points[i]) > key(points[best]) { best = i }
        return best
    }

    // MARK: Pieces

    /// The segments between sorted change points.
    static func intervals(_ indices: [Int], count: Int) -> [Range<Int>] {
        let cuts = [0] + indices + [count]
        return zip(cuts, cuts.dropFirst()).compactMap { $0 < $1 ? $0..<$1 : nil }
    }

    /// The t-test of an existing change point against the segments on either side of it.
    static func recomputed(_ point: ChangePoint, _ series: [Double], _ bounds: [Range<Int>]) -> ChangePoint {
        guard let k = bounds.firstIndex(where: { $0.upperBound == point.index }), k + 1 < bounds.count else { return point }
        var result = point
        result.stats = tTest(Array(series[bounds[k]]), Array(series[bounds[k + 1]]))
        return result
    }

    static func tTest(_ left: [Double], _ right: [Double]) -> Stats {
        func meanStd(_ v: [Double]) -> (Double, Double) {
            let mean = v.reduce(0, +) / Double(v.count)
            guard v.count >= 2 else { return (mean, 0) }
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
            return (mean, variance.squareRoot())
        }
        let (ml, sl) = meanStd(left), (mr, sr) = meanStd(right)
        let p = left.count + right.count > 2
            ? StudentTTest.pValue(mean1: ml, std1: sl, count1: left.count, mean2: mr, std2: sr, count2: right.count) : 1
        return Stats(meanBefore: ml, meanAfter: mr, stdBefore: sl, stdAfter: sr, pValue: p)
    }
}

/// Sums of |x_i − x_j| over rectangles of index pairs in O(1), from 2-D prefix sums, so q̂ for
/// every split (τ) and end (κ) of an interval costs O(n²) instead of O(n⁴).
struct PairDistanceSums {
    let count: Int
    /// prefix[(i)·(count+1) + j] = Σ_{a<i, b<j} |x_a − x_b|.
    private let prefix: [Double]

    init(_ values: [Double]) {
        count = values.count
        let width = count + 1
        var prefix = [Double](repeating: 0, count: width * width)
        for i in 0..<count {
            var row = 0.0
            for j in 0..<count {
                row += abs(values[i] - values[j])
                prefix[(i + 1) * width + j + 1] = prefix[i * width + j + 1] + row
            }
        }
        self.prefix = prefix
    }

    /// Σ_{a ∈ rows, b ∈ columns} |x_a − x_b|.
    func sum(_ rows: Range<Int>, _ columns: Range<Int>) -> Double {
        let w = count + 1
        return prefix[rows.upperBound * w + columns.upperBound] - prefix[rows.lowerBound * w + columns.upperBound]
            - prefix[rows.upperBound * w + columns.lowerBound] + prefix[rows.lowerBound * w + columns.lowerBound]
    }

    /// The τ maximizing q̂(X = x[s..<τ], Y = x[τ..<κ]) over s < τ < κ ≤ e, as Otava scans it:
    /// a (τ, κ) matrix in row-major order whose cells with κ ≤ τ hold 0, first maximum wins.
    func bestSplit(_ interval: Range<Int>) -> (index: Int, qhat: Double) {
        let s = interval.lowerBound, e = interval.upperBound
        var best = (index: s + 1, qhat: -Double.infinity)
        for tau in (s + 1)..<e {
            for kappa in (s + 2)...e {
                var q = 0.0
                if kappa > tau {
                    let n = Double(tau - s), m = Double(kappa - tau)
                    let cross = sum(s..<tau, tau..<kappa)
                    let withinX = sum(s..<tau, s..<tau) / 2, withinY = sum(tau..<kappa, tau..<kappa) / 2
                    q = 2 / (m + n) * cross
                    if n > 1 { q -= 2 * m / ((m + n) * (n - 1)) * withinX }
                    if m > 1 { q -= 2 * n / ((m + n) * (m - 1)) * withinY }
                }
                if q > best.qhat { best = (tau, q) }
            }
        }
        return best
    }
}
