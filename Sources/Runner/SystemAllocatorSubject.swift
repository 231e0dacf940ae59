import Results
import SystemAllocators

/// A system allocator (glibc, jemalloc, mimalloc, tcmalloc) as a reference row: same workloads,
/// same pinned workers, no kill.
final class SystemAllocatorSubject: CaseSubject {
    struct Target: WorkloadTarget {
        let allocator: SystemAllocator
        let slots: KptrSlots
        @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? { allocator.allocate(size: size) }
        @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) { allocator.free(object) }
        @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
            slots.exchange(slot, with: object)
        }
    }
    let live: Target
    var hasKill: Bool { false }
    private let outstanding: Int

    init(allocator: SystemAllocator, mapSlots: Int) {
        live = Target(allocator: allocator, slots: KptrSlots(count: mapSlots))
        outstanding = 0
    }
    func workerOnline(cpu: Int) {}
    func quiescent(cpu: Int) {}
    func workerOffline(cpu: Int) {}
    func kill() -> KillTimings { KillTimings(note: "no kill") }
    func teardown() -> TeardownResult {
        // Every slot must be empty again: the drain phase took and freed what the map held.
        let left = live.slots.clear()
        return TeardownResult(teardownNs: 0, outstanding: left, destroyCount: nil, leakedObjects: 0)
    }
    func heldBytes() -> Int? { nil }
}

