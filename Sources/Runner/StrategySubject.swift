import Atomics
import BPFModel
import MemAlloc
import Platform
import Results
import Strategies

/// A lifetime strategy's hot path as a workload target. Everything a call needs is copied in
/// once (the case's object class, the allocator, the lifetime's words), so an operation is the
/// core's `unit_alloc`/`unit_free` plus the strategy's get/put and nothing else. After the kill
/// the same target only frees (the put then takes whatever path the kill left).
struct StrategyTarget<S: LifetimeStrategy>: WorkloadTarget {
    let allocator: MemAllocator
    let words: UnsafeMutableRawPointer
    let objectSize: Int
    /// The object class's cache of CPU 0, and the distance between two CPUs' caches of it:
    /// values in registers (not loads from the allocator state, which the compiler must
    /// assume every cache store may alias), so the loop computes the worker's cache once.
    let objectCaches: UnsafeMutablePointer<PerCPUCache>
    let cpuStride: Int
    let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    init(_ c: LifetimeCase<S>) {
        allocator = c.allocator
        words = c.lifetimeWords
        objectSize = c.objectSize
        let objectClass = c.allocator.classIndex(forRequest: c.objectSize)!
        objectCaches = c.allocator.cache(cpu: 0, classIndex: objectClass)
        cpuStride = c.allocator.cache(cpu: 1, classIndex: objectClass) - objectCaches
        slots = c.valueMap.slots
    }

    @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        let object: UnsafeMutableRawPointer?
        if _fastPath(size == objectSize) {
            object = MemAllocator.allocate(from: objectCaches + cpu &* cpuStride)
        } else {
            object = allocator.allocate(size: size, cpu: cpu)
        }
        guard let o = object else { return nil }
        S.objectAllocated(words: words, cpu: cpu)
        return o
    }

    @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) { S.free(object, cpu: cpu) }

    @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
        ArrayMap<S>.exchange(slots, index: slot, with: object)
    }
}

/// A lifetime strategy's case in the BPF model (`LifetimeCase<S>`) as a runner subject.
final class StrategySubject<S: LifetimeStrategy>: CaseSubject {
    let lifetimeCase: LifetimeCase<S>
    let live: StrategyTarget<S>
    let teardownCPU: Int

    init(topology: Topology, objectSize: Int, mapSlots: Int) throws {
        lifetimeCase = try LifetimeCase<S>(topology: topology, objectSize: objectSize, mapSlots: mapSlots,
                                           asynchronousKill: true)
        live = StrategyTarget(lifetimeCase)
        teardownCPU = topology.cpus[0].id
    }

    var hasKill: Bool { true }

    func workerOnline(cpu: Int) { lifetimeCase.workerOnline(cpu: cpu) }
    @inline(__always) func quiescent(cpu: Int) { lifetimeCase.quiescent(cpu: cpu) }
    func workerOffline(cpu: Int) { lifetimeCase.workerOffline(cpu: cpu) }

    func kill() -> KillTimings {
        let r = lifetimeCase.kill()
        return KillTimings(killNs: r.killNanoseconds, walkNs: r.walkNanoseconds,
                           walkedValues: r.walkNanoseconds == nil ? nil : r.valuesWalked, note: r.action)
    }

    func teardown() -> TeardownResult {
        // The coordinator is not a pinned worker: it frees on the first CPU's caches only after
        // every worker has exited, so the single-writer rule still holds.
        let t0 = now()
        let report = lifetimeCase.closeMaps(cpu: teardownCPU)
        let ns = now() - t0
        let outstanding = lifetimeCase.isDestroyed ? 0 : lifetimeCase.outstanding
        return TeardownResult(teardownNs: ns, outstanding: outstanding, destroyCount: lifetimeCase.destroyCount,
                              leakedObjects: report?.leakedObjects ?? 0,
                              destroyNs: lifetimeCase.isDestroyed ? lifetimeCase.destroyNanoseconds : nil)
    }

    func confirmKill(since: Int) -> KillTimings? {
        guard let c = lifetimeCase.confirmKill(since: since) else { return nil }
        return KillTimings(confirmNs: c.confirmNanoseconds, graceNs: c.gracePeriodNanoseconds, foldNs: c.foldNanoseconds)
    }

    func destroyNanosecondsIfDestroyedByCallingThread() -> Int? { lifetimeCase.destroyNanosecondsIfDestroyedByCallingThread }

    /// Slab bytes, relaxed atomic reads. Sampled only in live and kill, while the
    /// map's objects keep the allocator alive (atomic and percpu-ref may destroy it at the last
    /// free of the drain).
    func heldBytes() -> Int? { lifetimeCase.allocator.heldSlabBytes() }
}
