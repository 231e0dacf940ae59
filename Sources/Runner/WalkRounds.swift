import Platform
import Results

/// The further `--map-values` sizes: one round each of the strategies whose unload walks the
/// maps (lazy, hybrid, kmem-cache), on pair at the fewest threads, keeping only the walk rows
/// (`kill`/`walk`: `latency_us`, `map_values`), so the tables and claims of the main matrix stay
/// one map size while the walk can be fitted against map size.
enum WalkRounds {
    static let walkers: Set<String> = ["lazy", "hybrid", "kmem-cache"]

    /// The rows of every further size, repetitions numbered after the main rounds; `interrupted`
    /// when a signal stopped a round (its rows and those of the sizes after it are left out).
    static func rows(plan: Plan, context: RunContext, furtherMapSizes: [Int], quiet: Bool) throws
        -> (rows: [ResultRow], interrupted: Bool) {
        let subjects = plan.subjects.filter { walkers.contains($0.description) }
        guard !subjects.isEmpty, plan.workloads.contains(.pair), let t = plan.threads.min() else { return ([], false) }
        var rows: [ResultRow] = []
        for (i, m) in furtherMapSizes.enumerated() {
            var round = plan
            round.subjects = subjects
            round.workloads = [.pair]
            round.threads = [t]
            round.settings.mapSlots = m
            round.settings.latency = false
            let outcome = try BenchRunner(plan: round, context: context, quiet: quiet).run()
            // An interrupted round's rows are a partial walk sample: dropped, as the main rounds drop theirs.
            if outcome.interrupted || RunInterrupt.isSet { return (rows, true) }
            for var r in outcome.rows where r.phase == .kill && r.op == .walk {
                r.repetition += (i + 1) * plan.settings.repetitions
                rows.append(r)
            }
        }
        return (rows, false)
    }
}
