import Atomics
import Glibc
import MemAlloc
import Strategies

/// An array map whose values each hold one local kptr (`__kptr_local`). Programs store objects
/// with `kptr_xchg`: swap in, get the old value back, free it or keep it.
///
/// `used_allocators` (seed 4.2): allocators this map holds one owner reference to, collected by
/// the unload walk of programs that use it. Freeing the map frees every stored object, then
/// drops those references (seed 4.3).
public final class ArrayMap<S: LifetimeStrategy>: BPFMap<S> {
    public let valueCount: Int
    /// One 8-byte word per value: the kptr, 0 when empty. Values are packed as a real array
    /// map's would be; neighbouring slots may share a line, as they do in the kernel.
    public let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    private var usedAllocatorsLock = pthread_mutex_t()
    private var usedAllocatorSet: Set<AllocatorLifetime> = []
    /// Objects freed and references dropped when the map itself was freed.
    public private(set) var objectsFreedAtMapFree = 0

    init(world: BPFWorld<S>, valueCount: Int) {
        precondition(valueCount > 0)
        self.valueCount = valueCount
        // Page-aligned, like a kernel array map's value area (vmalloc'd), so the slots' offsets
        // within a page are the same for every map (malloc's varied with its heap state).
        slots = UnsafeMutableRawPointer.allocate(byteCount: valueCount * MemoryLayout<UnsafeAtomic<Int>.Storage>.stride, alignment: 4096)
            .bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: valueCount)
        slots.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: valueCount)
        pthread_mutex_init(&usedAllocatorsLock, nil)
        super.init(world: world)
    }

    deinit {
        slots.deinitialize(count: valueCount)
        slots.deallocate()
        pthread_mutex_destroy(&usedAllocatorsLock)
    }

    /// `bpf_kptr_xchg` on value `index`'s slot, through the raw storage (hot path, no retain).
    @inlinable @inline(__always)
    public static func exchange(_ slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>, index: Int,
                                with object: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        // acq_rel: the new object's contents (its header) are published to whoever takes it.
        let old = UnsafeAtomic<Int>(at: slots + index)
            .exchange(Int(bitPattern: object), ordering: .acquiringAndReleasing)
        return UnsafeMutableRawPointer(bitPattern: old)
    }

    /// `bpf_kptr_xchg(&value[index].kptr, object)`.
    public func exchange(index: Int, with object: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        precondition(index >= 0 && index < valueCount)
        return ArrayMap.exchange(slots, index: index, with: object)
    }

    /// The slot's current object (a plain read, as the unload walk does).
    public func peek(index: Int) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UnsafeAtomic<Int>(at: slots + index).load(ordering: .acquiring))
    }

    /// Objects stored now.
    public var storedObjects: Int { (0..<valueCount).reduce(0) { $0 + (peek(index: $1) == nil ? 0 : 1) } }

    public var usedAllocators: [AllocatorLifetime] {
        pthread_mutex_lock(&usedAllocatorsLock)
        defer { pthread_mutex_unlock(&usedAllocatorsLock) }
        return Array(usedAllocatorSet)
    }

    /// The unload walk over this map (seed 4.2): for every value holding a kptr, read its
    /// allocator from the header and, if new to `used_allocators`, take an owner reference.
    /// `interleave` runs between reading a slot and reading the object's header — where
    /// another program's `kptr_xchg` + free races with the walk (Kumar's first hole).
    /// Returns (values walked, allocators collected).
    func collectUsedAllocators(interleave: ((ArrayMap<S>, Int, UnsafeMutableRawPointer) -> Void)?) -> (Int, Int) {
        var collected = 0
        // Consecutive values mostly share one allocator: skip the used_allocators lookup
        // then, as a kernel walk comparing against the list head would.
        var previous: AllocatorLifetime? = nil
        for index in 0..<valueCount {
            guard let object = peek(index: index) else { continue }
            interleave?(self, index, object)
            let lifetime: AllocatorLifetime?
            if let checker = world.checker {
                // Checked first (a freed object's header is not read); then the header itself
                // is read, as unchecked, so a wrong owner in a header shows up downstream.
                lifetime = checker.withLiveObject(object, map: id) { _ in AllocatorLifetime(owning: object) }
            } else {
                lifetime = AllocatorLifetime(owning: object)  // the header read
            }
            guard let l = lifetime, l != previous else { continue }
            previous = l
            if addUsedAllocator(l) { collected += 1 }
        }
        return (valueCount, collected)
    }

    /// Adds `lifetime` to `used_allocators` with an owner reference, once.
    @discardableResult
    public func addUsedAllocator(_ lifetime: AllocatorLifetime) -> Bool {
        pthread_mutex_lock(&usedAllocatorsLock)
        defer { pthread_mutex_unlock(&usedAllocatorsLock) }
        guard usedAllocatorSet.insert(lifetime).inserted else { return false }
        lifetime.acquireOwner()
        return true
    }

    /// `map_free`: free every stored object, then drop every used allocator.
    override public func freeObject(cpu: Int) {
        var freed = 0
        for index in 0..<valueCount {
            if let object = ArrayMap.exchange(slots, index: index, with: nil) {
                world.objDrop(object, cpu: cpu)
                freed += 1
            }
        }
        objectsFreedAtMapFree = freed
        for lifetime in usedAllocators { lifetime.releaseOwner(S.self) }
    }
}
