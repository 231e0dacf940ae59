import Statistics

/// The statistical tests' seeded generator (reproducible).
typealias SeededGenerator = SplitMix64
