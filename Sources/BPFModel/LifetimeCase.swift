import Atomics
import Glibc
import MemAlloc
import Platform
import Strategies

/// The BPF world of one measured case, for the runner: an allocator map owning an allocator
/// (fixed-size for kmem-cache), one array map of `mapSlots` values with one local-kptr slot
/// each, and a program whose `used_maps` holds both; the fds are held by the case.
///
/// Phases: `allocate`/`free`/`exchange` live → `kill()` (the program unloads, the allocator
/// map is closed; nothing can be allocated any more) → `free` → `closeMaps` (the value map is closed: its
/// kptrs are freed, its used_allocators dropped; the allocator must end destroyed once).
///
/// Workers: each pinned worker calls `workerOnline(cpu:)` first, `quiescent(cpu:)` between
/// timed batches, `workerPause`/`workerResume` around any blocking wait (a barrier, a join)
/// and `workerOffline(cpu:)` last. `kill` and `closeMaps` run on a coordinator thread.
/// An online worker that blocks without pausing stalls the grace period of a percpu-ref kill.
public final class LifetimeCase<S: LifetimeStrategy> {
    public let world: BPFWorld<S>
    public let allocatorMap: AllocatorMap<S>
    public let valueMap: ArrayMap<S>
    public let program: Program<S>
    public let objectSize: Int
    public let mapSlots: Int

    @usableFromInline let lifetime: AllocatorLifetime
    @usableFromInline let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    @usableFromInline let checked: Bool

    private let allocatorMapFD: BPFWorld<S>.FileDescriptor
    private let valueMapFD: BPFWorld<S>.FileDescriptor
    private let programFD: BPFWorld<S>.FileDescriptor
    public private(set) var killReport: KillReport?
    private var mapsClosed = false

    /// - Parameters:
    ///   - checked: run every operation through the use-after-free checker (slow).
    ///   - asynchronousKill: a percpu_ref kill queues its switch and returns, as the kernel's
    ///     does (`call_rcu_hurry`); `confirmKill` then serves it (grace period and fold).
    public init(topology: Topology, objectSize: Int, mapSlots: Int, checked: Bool = false,
                asynchronousKill: Bool = false) throws {
        precondition(objectSize > 0 && mapSlots > 0)
        world = try BPFWorld<S>(topology: topology, checked: checked)
        (allocatorMap, allocatorMapFD) = try world.createAllocatorMap(objectSize: objectSize)
        (valueMap, valueMapFD) = world.createArrayMap(values: mapSlots)
        (program, programFD) = world.loadProgram(usedMaps: [allocatorMap, valueMap])
        lifetime = allocatorMap.lifetime
        if asynchronousKill { lifetime.killGracePeriod = .queued }
        slots = valueMap.slots
        self.checked = checked
        self.objectSize = objectSize
        self.mapSlots = mapSlots
    }

    // MARK: Worker lifecycle (QSBR)

    /// Registers the calling worker as a QSBR reader. The corresponding C function is
    /// `urcu_qsbr_register_thread`.
    public func workerOnline(cpu: Int) { QSBR.registerThread() }
    /// Announces a quiescent state; call between timed batches.
    @inlinable public func quiescent(cpu: Int) { QSBR.quiescentState() }
    /// Goes offline before a blocking wait (no grace period waits for it meanwhile).
    public func workerPause(cpu: Int) { QSBR.offline() }
    public func workerResume(cpu: Int) { QSBR.online() }
    /// Unregisters the calling worker.
    public func workerOffline(cpu: Int) { QSBR.unregisterThread() }

    // MARK: Hot paths

    /// `bpf_obj_alloc` through the program's allocator map (owner alive).
    @inlinable @inline(__always)
    public func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        if _slowPath(checked) { return world.objNew(allocatorMap, size: size, cpu: cpu) }
        return S.allocate(from: lifetime, size: size, cpu: cpu)
    }

    /// `bpf_obj_drop`: owner from the header, with the strategy's put.
    @inlinable @inline(__always)
    public func free(_ object: UnsafeMutableRawPointer, cpu: Int) {
        if _slowPath(checked) { return world.objDrop(object, cpu: cpu) }
        S.free(object, cpu: cpu)
    }

    /// `bpf_kptr_xchg` on value `slot` of the array map: returns the previous object, which
    /// the caller frees or keeps.
    @inlinable @inline(__always)
    public func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
        ArrayMap<S>.exchange(slots, index: slot, with: object)
    }

    // MARK: Kill and teardown (coordinator)

    /// The owner goes away: the program unloads (lazy, kmem-cache, hybrid: the used_allocators
    /// walk over every map value, timed) and the allocator map is closed (atomic: base
    /// reference dropped; percpu-ref: percpu_ref_kill with its grace period, timed separately).
    /// Hybrid's kill is delayed while used_allocators holds the allocator; global: nothing.
    @discardableResult
    public func kill() -> KillReport {
        if let killReport { return killReport }
        let start = MonotonicClock.nanoseconds()
        world.close(programFD)
        world.close(allocatorMapFD)
        let total = MonotonicClock.nanoseconds() - start
        let unload = program.unloadReport
        var report = allocatorMap.killReport ?? KillReport(
            strategy: S.name,
            action: S.isImmortal ? "nothing: the global allocator is immortal"
                : "kill delayed: used_allocators holds the allocator (\(lifetime.owners) owner references)")
        report.walkNanoseconds = unload?.walkNanoseconds
        report.valuesWalked = unload?.valuesWalked ?? 0
        report.allocatorsCollected = unload?.allocatorsCollected ?? 0
        if report.killNanoseconds == nil && !S.isImmortal && !S.collectsUsedAllocators { report.killNanoseconds = total }
        report.destroyedAllocator = lifetime.isDestroyed
        killReport = report
        return report
    }

    /// What confirming a queued percpu_ref kill took: from the kill call until the fold ran
    /// (`confirmNanoseconds`), the grace period and the fold alone.
    public struct KillConfirmation: Equatable, Sendable {
        public var confirmNanoseconds: Int
        public var gracePeriodNanoseconds: Int?
        public var foldNanoseconds: Int?
    }

    /// After a queued percpu_ref kill: serves the switch queue on the calling thread (the
    /// coordinator, off the measured path: one grace period, then the fold) and returns how
    /// long the switch took from `since`; nil when there is no switch to confirm. If another
    /// thread served it, waits until the fold is visible. Traps after `timeoutNs`.
    public func confirmKill(since: Int, timeoutNs: Int = 10_000_000_000) -> KillConfirmation? {
        guard lifetime.hasPercpuRef, lifetime.percpuRef.isDead else { return nil }
        let ref = lifetime.percpuRef
        let service = PercpuRefSwitchQueue.serve()
        while !ref.isFolded {
            precondition(MonotonicClock.nanoseconds() - since < timeoutNs, "percpu_ref switch not confirmed in \(timeoutNs / 1_000_000) ms")
            PercpuRefSwitchQueue.serve()
            var ts = timespec(tv_sec: 0, tv_nsec: 10_000)
            nanosleep(&ts, nil)
        }
        return KillConfirmation(confirmNanoseconds: MonotonicClock.nanoseconds() - since,
                                gracePeriodNanoseconds: service?.gracePeriodNanoseconds, foldNanoseconds: service?.foldNanoseconds)
    }

    /// Teardown: closes the value map (every kptr still stored is freed on `cpu`, then its
    /// used_allocators references are dropped — hybrid's delayed kill and lazy's destroy happen
    /// here). Global: the per-case immortal allocator is then torn down (process end), so it
    /// too ends destroyed exactly once. Kills first if `kill()` was not called. Returns the
    /// destroy report, or nil while objects allocated outside the map keep the allocator alive
    /// (atomic, percpu-ref, hybrid: destroyed at their last free).
    @discardableResult
    public func closeMaps(cpu: Int) -> DestroyReport? {
        if killReport == nil { kill() }
        if !mapsClosed {
            mapsClosed = true
            world.close(valueMapFD, cpu: cpu)
            if S.isImmortal { world.tearDownGlobal() }
            // A delayed queued kill (hybrid's, at the last used_allocators reference): complete it.
            if lifetime.hasPercpuRef && lifetime.percpuRef.isDead && !lifetime.percpuRef.isFolded {
                _ = confirmKill(since: MonotonicClock.nanoseconds())
            }
        }
        return lifetime.destroyReport
    }

    /// The kill that happened at `closeMaps` (hybrid), if any.
    public var delayedKillReport: KillReport? { lifetime.ownerGoneReport }

    // MARK: Observability (call while workers are quiescent)

    public var allocator: MemAllocator { lifetime.allocator }
    /// The words the strategy's per-object accounting touches (hot-path targets copy them).
    public var lifetimeWords: UnsafeMutableRawPointer { lifetime.hotWords }
    /// Times the allocator was destroyed (must end at exactly 1).
    public var destroyCount: Int { lifetime.destroyCount }
    public var isDestroyed: Bool { lifetime.isDestroyed }
    public var destroyReport: DestroyReport? { lifetime.destroyReport }
    /// How long the destroy took (0 before it), and whether the calling thread ran it.
    public var destroyNanoseconds: Int { lifetime.destroyNanoseconds }
    public var destroyNanosecondsIfDestroyedByCallingThread: Int? { lifetime.destroyNanosecondsIfDestroyedByCallingThread }
    /// Objects allocated and not freed (after destroy: those it found leaked).
    public var outstanding: Int {
        if let report = lifetime.destroyReport { return report.leakedObjects }
        return lifetime.allocator.stats().outstanding
    }
    /// Allocator counters; nil once destroyed.
    public func stats() -> AllocatorStats? { lifetime.isDestroyed ? nil : lifetime.allocator.stats() }
    public var checker: LifetimeChecker? { world.checker }
}
