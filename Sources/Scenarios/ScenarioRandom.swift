/// A seeded generator (SplitMix64) for the interleaving plans: the same seed gives the same
/// slots, windows and delays on every run and for every strategy.
public struct ScenarioRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one (seed, stream) pair: scenarios draw independent plans.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = ScenarioRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
