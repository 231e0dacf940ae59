import CPlatform
import Glibc
import Results

/// The floor: a plain per-CPU LIFO free list with no size classes, watermarks, header or
/// accounting. What the core costs above a bare pop/push is the core's overhead.
final class FreeListFloorSubject: CaseSubject {
    struct Target: WorkloadTarget {
        let heads: UnsafeMutablePointer<UnsafeMutableRawPointer?>  // one per CPU, 128 B apart
        let carve: FloorCarver
        let slots: KptrSlots
        static let stride = 16  // 16 pointers = 128 bytes between CPUs' heads

        @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
            let h = heads + cpu &* Self.stride
            guard let p = h.pointee else { return carve.carveOne() }
            h.pointee = p.load(as: UnsafeMutableRawPointer?.self)
            return p
        }
        @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) {
            let h = heads + cpu &* Self.stride
            object.storeBytes(of: h.pointee, as: UnsafeMutableRawPointer?.self)
            h.pointee = object
            // Without this the optimizer sees an inlined pop followed by a push of the same
            // object as a no-op and deletes both, and the "floor" measures the empty loop.
            CPlatform_escape(object)
        }
        @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
            slots.exchange(slot, with: object)
        }
    }
    let live: Target
    var hasKill: Bool { false }

    init(size: Int, cpuIDLimit: Int, mapSlots: Int) {
        let heads = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: cpuIDLimit * Target.stride)
        heads.initialize(repeating: nil, count: cpuIDLimit * Target.stride)
        live = Target(heads: heads, carve: FloorCarver(unit: max(16, (size + 15) & ~15)), slots: KptrSlots(count: mapSlots))
    }

    func workerOnline(cpu: Int) {}
    func quiescent(cpu: Int) {}
    func workerOffline(cpu: Int) {}
    func kill() -> KillTimings { KillTimings(note: "no kill") }
    func teardown() -> TeardownResult {
        let left = live.slots.clear()
        live.carve.release()
        live.heads.deallocate()
        return TeardownResult(teardownNs: 0, outstanding: left, destroyCount: nil, leakedObjects: 0)
    }
    func heldBytes() -> Int? { nil }
}

/// The floor's slow path: units carved from 1 MiB chunks under a lock.
final class FloorCarver {
    private let unit: Int
    private var chunks: [UnsafeMutableRawPointer] = []
    private var lock = pthread_mutex_t()
    private var cursor: UnsafeMutableRawPointer?
    private var end: UnsafeMutableRawPointer?

    init(unit: Int) {
        self.unit = unit
        pthread_mutex_init(&lock, nil)
    }

    /// The slow path: carve a new unit from a 1 MiB chunk.
    @inline(never) func carveOne() -> UnsafeMutableRawPointer? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if cursor == nil || cursor! + unit > end! {
            guard let c = malloc(1 << 20) else { return nil }
            chunks.append(c)
            cursor = c
            end = c + (1 << 20)
        }
        let p = cursor!
        cursor = p + unit
        return p
    }

    func release() {
        for c in chunks { Glibc.free(c) }
        chunks = []
        pthread_mutex_destroy(&lock)
    }
}

/// The harness alone: `allocate` returns a fixed pointer and `free` only makes it escape. Its
/// ns/op is the loop-and-timing cost every other row includes.
final class NoopSubject: CaseSubject {
    struct Target: WorkloadTarget {
        let object: UnsafeMutableRawPointer
        let slots: KptrSlots
        @inline(__always) func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? { object }
        @inline(__always) func free(_ object: UnsafeMutableRawPointer, cpu: Int) { CPlatform_escape(object) }
        @inline(__always) func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer? {
            slots.exchange(slot, with: object)
        }
    }
    let live: Target
    var hasKill: Bool { false }

    init(mapSlots: Int) {
        live = Target(object: .allocate(byteCount: 4096, alignment: 64), slots: KptrSlots(count: mapSlots))
    }
    func workerOnline(cpu: Int) {}
    func quiescent(cpu: Int) {}
    func workerOffline(cpu: Int) {}
    func kill() -> KillTimings { KillTimings(note: "no kill") }
    func teardown() -> TeardownResult {
        _ = live.slots.clear()
        live.object.deallocate()
        return TeardownResult(teardownNs: 0, outstanding: 0, destroyCount: nil, leakedObjects: 0)
    }
    func heldBytes() -> Int? { nil }
}
