/// Two modes among a few repetitions: the model's live pair on the 2-CPU guest reads either
/// ~2.5 or ~3.3 ns from one repetition to the next (the same code, a different placement), so
/// a median of 5 moves by a third with how the repetitions fell. A comparison against such a
/// series measures the draw, not the strategy.
public struct ModeSplit: Sendable, Equatable {
    public let low: Double, lowCount: Int
    public let high: Double, highCount: Int

    /// The widest gap that leaves at least 2 values on each side, when it is at least 10 % of
    /// the median and more than twice the wider side's own spread; nil otherwise (one outlier
    /// is not a mode, and a spread-out series has no gap that stands out).
    public init?(_ values: [Double]) {
        let v = values.filter(\.isFinite).sorted(), n = v.count
        guard n >= 4 else { return nil }
        guard let i = (2...(n - 2)).max(by: { v[$0] - v[$0 - 1] < v[$1] - v[$1 - 1] }) else { return nil }
        let gap = v[i] - v[i - 1], spread = max(v[i - 1] - v[0], v[n - 1] - v[i])
        guard gap >= 0.1 * Effect.median(v), gap > 2 * spread else { return nil }
        low = Effect.median(Array(v[..<i])); lowCount = i
        high = Effect.median(Array(v[i...])); highCount = n - i
    }
}
