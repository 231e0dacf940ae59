import Statistics

/// A seeded generator (SplitMix64) for the interleaving plans: the same seed gives the same
/// slots, windows and delays on every run and for every strategy.
public struct ScenarioRandom: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A generator for one (seed, stream) pair: scenarios draw independent plans.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        generator = SplitMix64(seed: mixer.next())
    }

    public mutating func next() -> UInt64 { generator.next() }
}
