import Results
/// What one measured case runs against: a lifetime strategy over the core, a system allocator,
/// the plain free-list floor, or the harness alone. The runner is generic over it.
protocol CaseSubject: AnyObject {
    associatedtype Live: WorkloadTarget
    /// The target while the owner (allocator map) is alive. After the kill only its `exchange`
    /// and `free` run: no design can allocate once the allocator map is gone.
    var live: Live { get }
    /// Whether the subject has a kill at all (system allocators and references do not).
    var hasKill: Bool { get }
    /// Called by each pinned worker when it starts, between batches, and before it exits.
    func workerOnline(cpu: Int)
    func quiescent(cpu: Int)
    func workerOffline(cpu: Int)
    /// The owner goes away. Runs on the coordinator while workers keep running.
    func kill() -> KillTimings
    /// Final teardown after every object has been freed (closing the maps).
    func teardown() -> TeardownResult
    /// Bytes held from node memory now, safe to call while workers run; nil when not tracked.
    func heldBytes() -> Int?
    /// After `kill()` returned, on the coordinator (off the measured path): completes a queued
    /// kill (percpu_ref's switch to atomic: grace period, fold) and says how long it took from
    /// `since`; nil when there is none.
    func confirmKill(since: Int) -> KillTimings?
    /// How long the allocator's destroy took if the calling thread ran it, else nil (workers ask
    /// after the drain so a destroy at the last free is not counted as drain time).
    func destroyNanosecondsIfDestroyedByCallingThread() -> Int?
}

extension CaseSubject {
    func confirmKill(since: Int) -> KillTimings? { nil }
    func destroyNanosecondsIfDestroyedByCallingThread() -> Int? { nil }
}

/// What a kill cost, in nanoseconds.
struct KillTimings {
    /// The kill itself (percpu_ref_kill up to its return, or dropping the base reference).
    var killNs: Int?
    /// From the kill call until the switch is confirmed (percpu-ref: the queued switch served,
    /// its grace period waited and the per-CPU counts folded).
    var confirmNs: Int?
    /// The grace period alone (liburcu QSBR `synchronize_rcu` over the pinned workers).
    var graceNs: Int?
    /// Folding the per-CPU counts into the shared count.
    var foldNs: Int?
    /// The program-unload walk over every map value (lazy, kmem-cache, hybrid).
    var walkNs: Int?
    var walkedValues: Int?
    var note: String = ""
}

/// The end state of a case: every case must end with zero outstanding objects and its
/// allocator destroyed exactly once.
struct TeardownResult {
    var teardownNs: Int
    var outstanding: Int
    /// nil for subjects without an allocator lifetime (system allocators).
    var destroyCount: Int?
    var leakedObjects: Int
    /// The allocator's destroy, timed alone, and the phase it happened in ("drain" at the last
    /// free for atomic/percpu-ref, else "teardown"); nil for subjects without one.
    var destroyNs: Int? = nil
    var destroyPhase = Phase.teardown
    var problem: String? {
        if outstanding != 0 { return "\(outstanding) objects still outstanding" }
        if leakedObjects != 0 { return "destroy reported \(leakedObjects) leaked objects" }
        if let d = destroyCount, d != 1 { return "allocator destroyed \(d) times (expected exactly once)" }
        return nil
    }
}
