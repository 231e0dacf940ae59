import Foundation

/// The two-sided Mann–Whitney U (Wilcoxon rank-sum) test, the test benchstat and Google
/// Benchmark's compare.py use: it assumes no distribution, so a few slow outliers in benchmark
/// repetitions do not swamp it the way they swamp a t-test.
///
/// p-values, matching `scipy.stats.mannwhitneyu(x, y, alternative="two-sided")`:
/// - **exact** (`method="exact"`) when there are no ties and both samples have at most
///   `exactLimit` values: the null distribution of U is counted by dynamic programming and
///   p = 2·P(U ≥ max(U₁, U₂)), capped at 1;
/// - otherwise the **normal approximation** (`method="asymptotic"`) with the tie correction of
///   the variance and a continuity correction of 0.5.
public enum MannWhitney {
    /// Largest sample size for which the exact distribution is used (without ties).
    public static let exactLimit = 20

    public enum Method: String, Sendable {
        case exact
        case normalApproximation = "normal"
    }

    public struct Result: Equatable, Sendable {
        /// U of the first sample: the number of pairs (x, y) with x > y, ties counting 1/2.
        public var u1: Double
        /// U of the second sample; u1 + u2 = n1·n2.
        public var u2: Double
        /// Two-sided p-value.
        public var pValue: Double
        public var method: Method
        public var hasTies: Bool
    }

    /// Tests whether `x` and `y` come from the same distribution. Both must be non-empty.
    public static func test(_ x: [Double], _ y: [Double]) -> Result {
        precondition(!x.isEmpty && !y.isEmpty, "Mann–Whitney U needs at least one value on each side")
        let n1 = x.count, n2 = y.count
        let ranking = midranks(x + y)
        let rankSumX = ranking.ranks[0..<n1].reduce(0, +)
        let u1 = rankSumX - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let hasTies = !ranking.tieGroupSizes.isEmpty
        if !hasTies && n1 <= exactLimit && n2 <= exactLimit {
            let p = exactTwoSidedP(uMax: Int(max(u1, u2).rounded()), n1: n1, n2: n2)
            return Result(u1: u1, u2: u2, pValue: p, method: .exact, hasTies: false)
        }
        let p = normalTwoSidedP(uMax: max(u1, u2), n1: n1, n2: n2, tieGroupSizes: ranking.tieGroupSizes)
        return Result(u1: u1, u2: u2, pValue: p, method: .normalApproximation, hasTies: hasTies)
    }

    /// The smallest two-sided p-value the test can return for these sample sizes (complete
    /// separation, no ties). If it exceeds alpha, no difference can be called significant, e.g.
    /// 3 vs 3 repetitions: 2/C(6,3) = 0.1.
    public static func minimumPValue(n1: Int, n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        if n1 <= exactLimit && n2 <= exactLimit {
            return exactTwoSidedP(uMax: n1 * n2, n1: n1, n2: n2)
        }
        return normalTwoSidedP(uMax: Double(n1 * n2), n1: n1, n2: n2, tieGroupSizes: [])
    }

    /// The smallest n such that n vs n repetitions can reach p < alpha.
    public static func repetitionsNeeded(alpha: Double) -> Int {
        var n = 1
        while minimumPValue(n1: n, n2: n) >= alpha && n < 1000 { n += 1 }
        return n
    }

    /// Ranks 1...n with tied values sharing the mean of their ranks, and the size of each tie group.
    static func midranks(_ values: [Double]) -> (ranks: [Double], tieGroupSizes: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieGroupSizes: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end hold equal values: ranks start+1 ... end, mean (start+1+end)/2.
            let midrank = Double(start + 1 + end) / 2
            for k in start..<end { ranks[order[k]] = midrank }
            if end - start > 1 { tieGroupSizes.append(end - start) }
            start = end
        }
        return (ranks, tieGroupSizes)
    }

    /// 2·P(U ≥ uMax) under the null hypothesis, capped at 1.
    static func exactTwoSidedP(uMax: Int, n1: Int, n2: Int) -> Double {
        let counts = exactUDistribution(n1: n1, n2: n2)
        let total = counts.reduce(0, +)
        let tail = counts[min(uMax, counts.count)...].reduce(0, +)
        return min(1, 2 * tail / total)
    }

    /// counts[u] = number of orderings of n1 x's and n2 y's whose U (pairs with x > y) equals u.
    /// The largest value is either an x, beating all n2 y's, or a y, beating nothing:
    /// f(i, j, u) = f(i−1, j, u−j) + f(i, j−1, u). Doubles hold C(40, 20) ≈ 1.4e11 exactly.
    static func exactUDistribution(n1: Int, n2: Int) -> [Double] {
        var previousRow = [[Double]](repeating: [1], count: n2 + 1)  // i = 0: only U = 0
        if n1 == 0 { return previousRow[n2] }
        for i in 1...n1 {
            var row: [[Double]] = [[1]]  // j = 0: only U = 0
            row.reserveCapacity(n2 + 1)
            if n2 > 0 {
                for j in 1...n2 {
                    var counts = [Double](repeating: 0, count: i * j + 1)
                    for (u, c) in previousRow[j].enumerated() { counts[u + j] += c }
                    for (u, c) in row[j - 1].enumerated() { counts[u] += c }
                    row.append(counts)
                }
            }
            previousRow = row
        }
        return previousRow[n2]
    }

    /// Normal approximation: mean n1·n2/2, variance n1·n2/12·((n+1) − Σ(t³−t)/(n(n−1))) over tie
    /// groups of size t, continuity correction 0.5, two-sided.
    static func normalTwoSidedP(uMax: Double, n1: Int, n2: Int, tieGroupSizes: [Int]) -> Double {
        let n = Double(n1 + n2)
        let tieTerm = tieGroupSizes.reduce(0.0) { $0 + pow(Double($1), 3) - Double($1) }
        let variance = Double(n1 * n2) / 12 * ((n + 1) - (n > 1 ? tieTerm / (n * (n - 1)) : 0))
        // Every value equal: nothing separates the samples.
        guard variance > 0 else { return 1 }
        let z = (uMax - Double(n1 * n2) / 2 - 0.5) / variance.squareRoot()
        return min(1, max(0, erfc(z / 2.0.squareRoot())))  // 2 · upper tail of N(0, 1)
    }
}
