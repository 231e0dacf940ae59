/// What a policy adds to its baseline, in nanoseconds per operation: median(subject) −
/// median(baseline) over repetitions, with its 95 % percentile-bootstrap interval (the same
/// resampling as `Effect`, rounds paired when the samples come from the same rounds). The
/// kernel's terms: "+2.1 ns [1.4, 2.9] on a 306 ns pair", not a ratio over a 2.5 ns model op.
public struct AddedNanoseconds: Equatable, Sendable {
    public let added: Double
    public let low: Double
    public let high: Double

    public init(added: Double, low: Double, high: Double) {
        self.added = added
        self.low = low
        self.high = high
    }

    /// The interval excludes zero: a cost (or a saving) may be stated.
    public var excludesZero: Bool { low > 0 || high < 0 }

    /// Nil when a sample is empty.
    public static func differenceOfMedians(_ subject: [Double], _ baseline: [Double], paired: Bool = false,
                                           seed: UInt64 = 1) -> AddedNanoseconds? {
        guard !subject.isEmpty, !baseline.isEmpty else { return nil }
        let point = Effect.median(subject) - Effect.median(baseline)
        var rng = SplitMix64(seed: seed)
        let pairs = paired && subject.count == baseline.count
        var diffs: [Double] = []
        diffs.reserveCapacity(Effect.resamples)
        var a = [Double](repeating: 0, count: subject.count), b = [Double](repeating: 0, count: baseline.count)
        for _ in 0..<Effect.resamples {
            for i in a.indices {
                let pick = Int.random(in: 0..<subject.count, using: &rng)
                a[i] = subject[pick]
                if pairs { b[i] = baseline[pick] }
            }
            if !pairs { for i in b.indices { b[i] = baseline[Int.random(in: 0..<baseline.count, using: &rng)] } }
            diffs.append(Effect.median(a) - Effect.median(b))
        }
        diffs.sort()
        let tail = (1 - Effect.confidence) / 2
        return AddedNanoseconds(added: point, low: SampleStatistics.quantile(diffs, tail),
                                high: SampleStatistics.quantile(diffs, 1 - tail))
    }
}
