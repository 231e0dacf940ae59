import Platform
import Results

/// Counters one worker accumulates over one phase. Time is read once per batch, never per op.
public struct PhaseCounters: Sendable {
    public var allocOps = 0
    public var allocNs = 0
    public var freeOps = 0
    public var freeNs = 0
    public var pairOps = 0
    public var pairNs = 0
    /// Allocations that returned nil: a failed case.
    public var failedAllocations = 0
    /// After the kill: each freeing worker's frees over its control pass (see
    /// `RepetitionRun.freeTimed`), summed over workers, and how many workers that is.
    public var overControlSum = 0.0
    public var overControlWorkers = 0

    mutating func add(_ o: PhaseCounters) {
        allocOps += o.allocOps; allocNs += o.allocNs
        freeOps += o.freeOps; freeNs += o.freeNs
        pairOps += o.pairOps; pairNs += o.pairNs
        failedAllocations += o.failedAllocations
        overControlSum += o.overControlSum; overControlWorkers += o.overControlWorkers
    }
    /// The workers' mean ratio of frees over control, nil when no worker freed after the kill.
    public var overControl: Double? { overControlWorkers > 0 ? overControlSum / Double(overControlWorkers) : nil }
}

/// What all workers of one case share: the object size, rings into each worker, the seed.
final class WorkloadShared: @unchecked Sendable {
    let size: Int
    let threads: Int
    let rings: [ObjectRing]
    let seed: UInt64
    let mapSlots: Int

    init(size: Int, threads: Int, mapSlots: Int, seed: UInt64) {
        self.size = size
        self.threads = threads
        self.mapSlots = mapSlots
        self.seed = seed
        rings = (0..<threads).map { _ in ObjectRing(capacity: 4096) }
    }
}

/// A traffic pattern run by every worker of a case (README "Workloads").
protocol Workload {
    static var kind: WorkloadKind { get }
    init(shared: WorkloadShared, worker: Int)
    /// One batch of operations with its own clock reads, added to `counters`.
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters)
    /// Frees every object the worker still holds or has been sent. Called after all workers have
    /// stopped producing (behind a barrier), so no object can arrive afterwards.
    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int)
}

extension WorkloadKind {
    /// Why this workload cannot run with `threads` workers in the model, if it cannot.
    public func unsupportedReason(threads: Int) -> String? {
        self == .remote && threads < 2 ? "remote needs at least 2 workers" : nil
    }
}

@inline(__always) func now() -> Int { Int(TimeStampCounter.nanoseconds()) }

/// xorshift64*: a cheap per-worker random stream (no locks, no allocation).
struct FastRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    @inline(__always) mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}
