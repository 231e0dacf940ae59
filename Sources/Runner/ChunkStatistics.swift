import Results
/// The statistics of the timed free chunks after the kill (`RepetitionRun.freeTimed`).
enum ChunkStatistics {
    /// The mean of the middle half of `values` (all of them when fewer than four): the tails
    /// (an interrupt, a slow chunk) do not move it, and averaging is not tied to clock steps.
    static func interquartileMean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count < 4 ? sorted[...] : sorted[(sorted.count / 4)..<(sorted.count - sorted.count / 4)]
        return middle.reduce(0, +) / Double(middle.count)
    }

    /// Σ free / Σ control (per-object rates of the same chunks) over the half of the chunks with
    /// the lowest free/control ratio (at least one): a slow mode on fewer than half the chunks
    /// does not move it, and the sums average out the clock's steps that single ratios sit on.
    /// A chunk whose control pass took over twice the median control (an interrupt or a
    /// preemption inside it) is left out first: its low ratio would pass for a fast chunk and
    /// its inflated control would weigh on the sum. nil without a usable chunk.
    static func fasterHalfRatio(free: [Double], control: [Double]) -> Double? {
        let usable = zip(free, control).filter { $0.1 > 0 }
        guard !usable.isEmpty else { return nil }
        let sortedControl = usable.map(\.1).sorted()
        let typical = sortedControl[sortedControl.count / 2]
        let chunks = usable.filter { $0.1 <= 2 * typical }.sorted { $0.0 / $0.1 < $1.0 / $1.1 }
        guard !chunks.isEmpty else { return nil }
        let fast = chunks.prefix(max(1, chunks.count / 2))
        return fast.reduce(0) { $0 + $1.0 } / fast.reduce(0) { $0 + $1.1 }
    }
}
