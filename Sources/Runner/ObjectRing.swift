import Atomics
import Results

/// A single-producer single-consumer ring of object pointers: how `remote` and `larson` hand
/// objects to another CPU to free. Head and tail live on separate cache lines.
final class ObjectRing: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let head: UnsafeAtomic<Int>  // next slot to read; written by the consumer
    private let tail: UnsafeAtomic<Int>  // next slot to write; written by the producer
    private let raw: UnsafeMutableRawPointer

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "capacity must be a power of two")
        self.capacity = capacity
        mask = capacity - 1
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
        raw = .allocate(byteCount: 256, alignment: 128)
        let h = raw.bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        h.initialize(to: UnsafeAtomic<Int>.Storage(0))
        head = UnsafeAtomic(at: h)
        let t = (raw + 128).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        t.initialize(to: UnsafeAtomic<Int>.Storage(0))
        tail = UnsafeAtomic(at: t)
    }

    deinit {
        slots.deallocate()
        raw.deallocate()
    }

    /// Producer side. False when full.
    @inline(__always) func push(_ p: UnsafeMutableRawPointer) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t &- head.load(ordering: .acquiring) == capacity { return false }
        slots[t & mask] = p
        tail.store(t &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer side. Nil when empty.
    @inline(__always) func pop() -> UnsafeMutableRawPointer? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let p = slots[h & mask]
        head.store(h &+ 1, ordering: .releasing)
        return p
    }
}

/// Slots standing in for a BPF array map's kptr fields, for targets that have no map of their
/// own (system allocators, the floor): `exchange` is an atomic swap, as `kptr_xchg` is.
final class KptrSlots: @unchecked Sendable {
    let count: Int
    private let storage: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: count)
    }

    deinit { storage.deallocate() }

    /// Empties every slot; returns how many held an object (a case's teardown expects 0).
    func clear() -> Int {
        var held = 0
        for i in 0..<count where exchange(i, with: nil) != nil { held += 1 }
        return held
    }

    @inline(__always) func exchange(_ slot: Int, with p: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        let old = UnsafeAtomic<Int>(at: storage + slot).exchange(Int(bitPattern: p), ordering: .acquiringAndReleasing)
        return UnsafeMutableRawPointer(bitPattern: old)
    }
}
