/// The confidence interval of a ratio of two revisions' performance when the *invocation* (a
/// whole process) is the unit, as Kalibera & Jones ("Rigorous benchmarking in reasonable time",
/// 2013) recommend: repetitions inside one process share its frequency, placement and
/// neighbours, so they understate run-to-run variance; resampling invocations first, then the
/// repetitions inside each resampled invocation, carries both levels into the interval.
///
/// The statistic of one side is the median over invocations of each invocation's median
/// repetition. Kalibera & Jones average; medians at both levels because noise on a shared VM is
/// episodic (a repetition, or a whole process, drops 20–40 %): on data simulated that way
/// (Tests/ReportsTests/AbSimulation.swift) the median found a planted 10 % slowdown about twice
/// as often as the mean at the same invocations, with no more false verdicts.
public enum HierarchicalBootstrap {
    public struct Interval: Equatable, Sendable {
        /// The statistic of new / the statistic of base on the observed data.
        public var estimate: Double
        public var lower: Double
        public var upper: Double
    }

    /// Median over invocations of the median of each invocation's repetitions.
    public static func statistic(_ invocations: [[Double]]) -> Double {
        precondition(!invocations.isEmpty && invocations.allSatisfy { !$0.isEmpty })
        return median(invocations.map { median($0.sorted()) }.sorted())
    }

    /// The percentile interval at `confidence` of statistic(new) / statistic(base) over
    /// `resamples` two-level resamples of each side (independently). nil when a side's statistic
    /// can be zero or negative, where a ratio means nothing.
    public static func ratioInterval<G: RandomNumberGenerator>(
        base: [[Double]], new: [[Double]], resamples: Int = 2000, confidence: Double = 0.95, using generator: inout G
    ) -> Interval? {
        precondition(resamples > 0 && confidence > 0 && confidence < 1)
        let b = statistic(base), n = statistic(new)
        guard b > 0, n > 0 else { return nil }
        let maxRepetitions = (base + new).map(\.count).max()!
        var scratch = Scratch(repetitions: [Double](repeating: 0, count: maxRepetitions),
                              medians: [Double](repeating: 0, count: max(base.count, new.count)))
        var ratios = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            let rb = resampledStatistic(base, scratch: &scratch, using: &generator)
            let rn = resampledStatistic(new, scratch: &scratch, using: &generator)
            // A resample of a side whose values are all positive is positive.
            ratios[r] = rn / rb
        }
        ratios.sort()
        let tail = (1 - confidence) / 2
        return Interval(estimate: n / b, lower: quantile(ratios, tail), upper: quantile(ratios, 1 - tail))
    }

    /// The interval of new/base when the invocations ran in pairs (one of each side, back to
    /// back, as `bench ab`'s ABBA blocks do): the statistic is the median over pairs of
    /// median(new repetitions) / median(base repetitions). A pair shares the machine's state
    /// (a neighbour's load, frequency, a slow stretch lasting several processes), so the ratio
    /// inside a pair cancels the drift that an unpaired comparison must carry as variance.
    /// Resampling: pairs with replacement, then each invocation's repetitions.
    public static func pairedRatioInterval<G: RandomNumberGenerator>(
        pairs: [(base: [Double], new: [Double])], resamples: Int = 2000, confidence: Double = 0.95,
        using generator: inout G
    ) -> Interval? {
        precondition(resamples > 0 && confidence > 0 && confidence < 1 && !pairs.isEmpty)
        guard pairs.allSatisfy({ median($0.base.sorted()) > 0 && median($0.new.sorted()) > 0 }) else { return nil }
        let estimate = median(pairs.map { median($0.new.sorted()) / median($0.base.sorted()) }.sorted())
        let maxRepetitions = pairs.map { max($0.base.count, $0.new.count) }.max()!
        var scratch = Scratch(repetitions: [Double](repeating: 0, count: maxRepetitions),
                              medians: [Double](repeating: 0, count: pairs.count))
        var ratios = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            for slot in pairs.indices {
                let pair = pairs[Int.random(in: 0..<pairs.count, using: &generator)]
                let b = resampledMedian(pair.base, scratch: &scratch.repetitions, using: &generator)
                let n = resampledMedian(pair.new, scratch: &scratch.repetitions, using: &generator)
                scratch.medians[slot] = n / b
            }
            ratios[r] = scratch.medians.withUnsafeMutableBufferPointer { buffer in
                buffer.sort()
                return median(buffer)
            }
        }
        ratios.sort()
        let tail = (1 - confidence) / 2
        return Interval(estimate: estimate, lower: quantile(ratios, tail), upper: quantile(ratios, 1 - tail))
    }

    /// The median of one resample (with replacement) of `repetitions`.
    static func resampledMedian<G: RandomNumberGenerator>(_ repetitions: [Double], scratch: inout [Double],
                                                          using generator: inout G) -> Double {
        let count = repetitions.count
        for i in 0..<count { scratch[i] = repetitions[Int.random(in: 0..<count, using: &generator)] }
        return scratch.withUnsafeMutableBufferPointer { buffer in
            var drawn = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            drawn.sort()
            return median(drawn)
        }
    }

    /// Buffers reused by every resample (no allocation per resample).
    struct Scratch {
        var repetitions: [Double]
        var medians: [Double]
    }

    /// One two-level resample: K invocations drawn with replacement, then each drawn
    /// invocation's repetitions drawn with replacement, then the statistic.
    static func resampledStatistic<G: RandomNumberGenerator>(
        _ invocations: [[Double]], scratch: inout Scratch, using generator: inout G
    ) -> Double {
        let k = invocations.count
        for slot in 0..<k {
            let repetitions = invocations[Int.random(in: 0..<k, using: &generator)]
            scratch.medians[slot] = resampledMedian(repetitions, scratch: &scratch.repetitions, using: &generator)
        }
        return scratch.medians.withUnsafeMutableBufferPointer { buffer in
            var drawn = UnsafeMutableBufferPointer(rebasing: buffer[0..<k])
            drawn.sort()
            return median(drawn)
        }
    }

    static func median<C: RandomAccessCollection>(_ sorted: C) -> Double where C.Element == Double, C.Index == Int {
        let mid = sorted.startIndex + sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Linear interpolation between closest ranks (numpy's default `quantile`).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }
}
