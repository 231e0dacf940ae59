import BPFModel
import MemAlloc
import Platform
import Strategies

/// A lifetime strategy's case in the BPF model (`LifetimeCase<S>`) as a runner subject.
final class StrategySubject<S: LifetimeStrategy>: CaseSubject {
    struct LiveTarget: WorkloadTarget {
        let c: LifetimeCase<S>
        @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? { c.allocate(size: size, cpu: cpu) }
        @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) { c.free(object, cpu: cpu) }
        @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
            c.exchange(slot: slot, with: object, cpu: cpu)
        }
    }
    /// After the kill: allocation only through a surviving reference (`tryget`).
    struct PostKillTarget: WorkloadTarget {
        let c: LifetimeCase<S>
        @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? { c.allocateAfterKill(size: size, cpu: cpu) }
        @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) { c.free(object, cpu: cpu) }
        @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
            c.exchange(slot: slot, with: object, cpu: cpu)
        }
    }

    let lifetimeCase: LifetimeCase<S>
    let live: LiveTarget
    let postKill: PostKillTarget?
    let teardownCPU: Int

    init(topology: Topology, objectSize: Int, mapSlots: Int) throws {
        lifetimeCase = try LifetimeCase<S>(topology: topology, objectSize: objectSize, mapSlots: mapSlots)
        live = LiveTarget(c: lifetimeCase)
        postKill = S.postKillAllocation.isAllowed ? PostKillTarget(c: lifetimeCase) : nil
        teardownCPU = topology.cpus[0].id
    }

    var postKillNote: String { S.postKillAllocation.isAllowed ? S.postKillAllocation.reason : "n/a: \(S.postKillAllocation.reason)" }
    var hasKill: Bool { true }

    func workerOnline(cpu: Int) { lifetimeCase.workerOnline(cpu: cpu) }
    @inline(__always) func quiescent(cpu: Int) { lifetimeCase.quiescent(cpu: cpu) }
    func workerOffline(cpu: Int) { lifetimeCase.workerOffline(cpu: cpu) }

    func kill() -> KillTimings {
        let r = lifetimeCase.kill()
        return KillTimings(killNs: r.killNanoseconds, graceNs: r.gracePeriodNanoseconds, walkNs: r.walkNanoseconds,
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
                              leakedObjects: report?.leakedObjects ?? 0)
    }

    /// Slab bytes under the pools' locks. The coordinator samples only in live, kill and
    /// post-kill, while the map's objects keep the allocator alive (atomic and percpu-ref may
    /// destroy it at the last free of the drain).
    func heldBytes() -> Int? { lifetimeCase.allocator.heldSlabBytes() }
}
