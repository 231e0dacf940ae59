/// One effect a finding states: a ratio of medians over repetitions (`subject / baseline`) with
/// its 95 % percentile-bootstrap interval. A difference is claimed only when the whole interval
/// lies outside the noise band; otherwise the finding says "no significant difference".
public struct Effect: Equatable, Sendable {
    /// ±3 %: what an A/A pair of cases differs by on this kind of machine without any change.
    public static let noiseBand = 0.03
    public static let resamples = 2000
    public static let confidence = 0.95

    public let ratio: Double
    public let low: Double
    public let high: Double

    public init(ratio: Double, low: Double, high: Double) {
        self.ratio = ratio
        self.low = low
        self.high = high
    }

    /// True when the interval excludes 1 ± noise band: the difference may be stated.
    public var isSignificant: Bool { low > 1 + Effect.noiseBand || high < 1 - Effect.noiseBand }

    /// Percentile bootstrap of median(subject) / median(baseline), seeded so the report is
    /// reproducible. When both samples come from the same repetition rounds (subjects are
    /// interleaved within a round, so a host episode hits both) the rounds are resampled in
    /// pairs; otherwise each sample is resampled on its own. Nil when a sample is empty or a
    /// median is not positive.
    public static func ratioOfMedians(_ subject: [Double], _ baseline: [Double], paired: Bool = false,
                                      seed: UInt64 = 1) -> Effect? {
        guard !subject.isEmpty, !baseline.isEmpty else { return nil }
        let point = median(subject) / median(baseline)
        guard point.isFinite, point > 0 else { return nil }
        var rng = SplitMix64(seed: seed)
        let pairs = paired && subject.count == baseline.count
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        var a = [Double](repeating: 0, count: subject.count), b = [Double](repeating: 0, count: baseline.count)
        for _ in 0..<resamples {
            for i in a.indices {
                let pick = Int.random(in: 0..<subject.count, using: &rng)
                a[i] = subject[pick]
                // Paired: the same round for both, so an episode stays with its round.
                if pairs { b[i] = baseline[pick] }
            }
            if !pairs { for i in b.indices { b[i] = baseline[Int.random(in: 0..<baseline.count, using: &rng)] } }
            let mb = median(b)
            if mb > 0 { ratios.append(median(a) / mb) }
        }
        guard !ratios.isEmpty else { return nil }
        ratios.sort()
        let tail = (1 - confidence) / 2
        return Effect(ratio: point, low: SampleStatistics.quantile(ratios, tail), high: SampleStatistics.quantile(ratios, 1 - tail))
    }

    public static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
