import Platform

/// How `ScenarioRunner` runs a scenario.
public struct ScenarioSettings: Sendable, Equatable {
    /// Iterations of a randomized scenario (each draws a new interleaving). Deterministic
    /// scenarios run once whatever this says.
    public var iterations: Int
    /// Seed of the interleavings: the same seed replays the same plans (slots, windows,
    /// delays) for every strategy; thread timing still varies.
    public var seed: UInt64
    /// Real CPUs the two pinned workers run on: the coordinator (the unloading program and
    /// the control plane) on `cpus[0]`, the second program on `cpus[1]` (on `cpus[0]` too
    /// when only one is given). Must be online and in the affinity mask.
    public var cpus: [Int]

    public init(iterations: Int = ScenarioSettings.defaultIterations, seed: UInt64 = ScenarioSettings.defaultSeed,
                cpus: [Int] = ScenarioSettings.defaultCPUs()) {
        self.iterations = iterations
        self.seed = seed
        self.cpus = cpus
    }

    /// Enough for every faulty strategy to show its fault many times on any seed (most
    /// iterations of concurrent-walk and moved-behind-walk fault where they can, all of
    /// in-flight-at-kill's), and quick: the whole 8×6 matrix under both reuse rules takes about
    /// two seconds (the measured modules are always optimized).
    public static let defaultIterations = 500
    public static let defaultSeed: UInt64 = 0x6270_665f_6d61  // "bpf_ma"
    /// Object size of every scenario's `bpf_obj_alloc` (the reports' `size` column).
    public static let objectSize = 64

    /// The first two online CPUs of this process, or the only one.
    public static func defaultCPUs() -> [Int] { Array(Topology.current().cpus.prefix(2).map(\.id)) }

    /// `iterations` = 500, seed "bpf_ma", the first two online CPUs.
    public static var defaults: ScenarioSettings { ScenarioSettings() }
}
