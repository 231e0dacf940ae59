import Results
/// Which revision an invocation of `bench ab` runs.
public enum AbSide: String, Sendable, CaseIterable {
    case base, new
    public var other: AbSide { self == .base ? .new : .base }
}

/// The order of `bench ab`'s invocations: blocks of four, each ABBA or BAAB at random, so slow
/// drift (a neighbour starting, the CPU warming) lands on both sides alike, each side runs first
/// as often as the other, and a periodic disturbance cannot lock onto one side.
public enum InterleavedOrder {
    /// `perSide` invocations of each side, `2·perSide` in all, balanced within every block of four
    /// (an odd last pair is AB or BA at random).
    public static func balanced<G: RandomNumberGenerator>(perSide: Int, using generator: inout G) -> [AbSide] {
        precondition(perSide >= 0)
        var order: [AbSide] = []
        order.reserveCapacity(2 * perSide)
        var remainingPairs = perSide
        while remainingPairs > 0 {
            let first: AbSide = Bool.random(using: &generator) ? .base : .new
            if remainingPairs >= 2 {
                order += [first, first.other, first.other, first]
                remainingPairs -= 2
            } else {
                order += [first, first.other]
                remainingPairs -= 1
            }
        }
        return order
    }
}
