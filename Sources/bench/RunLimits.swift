import Results
/// Upper bounds of the numeric options of `bench [run]` (`bench ab` checks its pass-through
/// options against them too).
enum Limits {
    /// One hour per phase.
    static let maxPhaseMs = 3_600_000
    static let maxRepetitions = 100_000
    /// The largest array map a run builds (2^24 values).
    static let maxMapValues = 1 << 24
}
