import Glibc
import Platform

/// A BPF memory allocator: per-CPU caches over per-CPU slabs of node-local memory, modelled on
/// kernel/bpf/memalloc.c.
///
/// A trivially copyable handle (a pointer), so passing it around does no retain/release.
/// `allocate`/`free` on the calling CPU take no lock, make no atomic RMW and allocate nothing.
/// Refills and drains (one per `batch` operations) take no lock either: a refill takes the
/// units other CPUs returned with one atomic exchange, then the cache's own spare units, then
/// carves its own slab; a drain keeps its surplus as spare, or pushes it with one CAS onto the
/// owner cache's returned list when the objects came from another CPU (`c->tgt`).
///
/// Contract: the caller runs on `cpu` (a pinned worker) and is the only thread touching that
/// CPU's caches, as the kernel guarantees with irqs off.
@frozen
public struct MemAllocator: Hashable {
    public let state: UnsafeMutablePointer<AllocatorState>

    public enum Path: Equatable, Sendable, CustomStringConvertible {
        /// `size == 0` at init: the 11 kernel size classes, any request of 1...4088 bytes.
        case sizeClasses
        /// `size > 0` at init (the kmem_cache path of MAP_TYPE_ALLOCATOR): one class of exactly
        /// `objectSize + 8` bytes.
        case fixedSize(Int)

        public var description: String {
            switch self {
            case .sizeClasses: return "size-class"
            case .fixedSize(let n): return "fixed-size(\(n))"
            }
        }
    }

    nonisolated(unsafe) private static var nextSerial = 0
    nonisolated(unsafe) private static var serialLock = pthread_mutex_t()

    /// Creates the allocator: caches for every CPU of `topology`, each prefilled (4 objects, or
    /// 1 above 256 B) from a slab on its CPU's node.
    /// - Parameter keepTombstone: keep the bookkeeping after `destroy()` so checkers can still
    ///   ask `isDestroyed` about stale headers (the model's use-after-free detector).
    public init(topology: Topology, path: Path = .sizeClasses, memory: NodeMemory? = nil, keepTombstone: Bool = false) throws {
        let memory = memory ?? NodeMemory(for: topology)
        let unitSizes: [Int]
        switch path {
        case .sizeClasses: unitSizes = SizeClass.unitSizes
        case .fixedSize(let n):
            precondition(n > 0, "fixed-size path needs an object size > 0")
            // Round to 8 so objects stay 8-byte aligned, as kmalloc's minimum alignment does.
            unitSizes = [(n + ObjectHeader.size + 7) & ~7]
        }
        let classCount = unitSizes.count
        let cpuLimit = topology.cpuIDLimit
        let params = unitSizes.map { CacheParameters(unitSize: $0) }

        let rawCaches = UnsafeMutableRawPointer.allocate(
            byteCount: cpuLimit * classCount * MemoryLayout<PerCPUCache>.stride, alignment: CacheLine.perCPUStride)
        let caches = rawCaches.bindMemory(to: PerCPUCache.self, capacity: cpuLimit * classCount)

        pthread_mutex_lock(&MemAllocator.serialLock)
        MemAllocator.nextSerial += 1
        let serial = MemAllocator.nextSerial
        pthread_mutex_unlock(&MemAllocator.serialLock)

        let state = UnsafeMutablePointer<AllocatorState>.allocate(capacity: 1)
        state.initialize(to: AllocatorState(
            caches: caches, cpuIDLimit: cpuLimit, classCount: classCount, nodeIDLimit: topology.nodeIDLimit,
            fixedUnitSize: path == .sizeClasses ? 0 : unitSizes[0], onlineCPUs: topology.cpus.map(\.id),
            memory: memory, isDestroyed: false, keepsTombstone: keepTombstone, context: nil, serial: serial))
        self.state = state

        let fallbackNode = topology.cpus[0].node
        for cpu in 0..<cpuLimit {
            let node = topology.node(ofCPU: cpu) ?? fallbackNode
            for cls in 0..<classCount {
                let p = params[cls]
                (caches + cpu * classCount + cls).initialize(to: PerCPUCache(
                    classColumn: caches + cls, allocator: state, lifetimeContext: nil, lifetimeWords: nil,
                    classIndex: Int32(cls), classCount: Int32(classCount), cpu: Int32(cpu), node: Int32(node),
                    unitSize: Int32(p.unitSize), lowWatermark: Int32(p.lowWatermark),
                    highWatermark: Int32(p.highWatermark), batch: Int32(p.batch),
                    freeHead: nil, freeCount: 0, drainTarget: nil,
                    spareHead: nil, spareCount: 0, slabCursor: nil, slabEnd: nil, slabs: nil, carvedUnits: 0,
                    refills: 0, drains: 0, remoteReturns: 0, sharedOperations: 0,
                    returned: .init(0), slabBytes: .init(0)))
            }
        }
        // Prefill online CPUs only (offline ids exist so per-CPU arrays index by CPU id).
        for cpu in topology.cpus.map(\.id) {
            for cls in 0..<classCount {
                let c = caches + cpu * classCount + cls
                MemAllocator.refill(c, count: params[cls].prefill)
                c.pointee.refills = 0
                if c.pointee.freeCount < params[cls].prefill {
                    destroyStorage()
                    throw PlatformError.outOfMemory(
                        bytes: SlabHeader.slabBytes(unitSize: unitSizes[cls], batch: params[cls].batch),
                        node: topology.node(ofCPU: cpu) ?? fallbackNode)
                }
            }
        }
    }

    public init(unsafeState: UnsafeMutablePointer<AllocatorState>) { state = unsafeState }

    public var path: Path {
        state.pointee.fixedUnitSize == 0 ? .sizeClasses : .fixedSize(state.pointee.fixedUnitSize - ObjectHeader.size)
    }

    /// Records the lifetime strategy's record (`context`) and its hot words in the allocator
    /// and in every cache's descriptor. Call once, before any worker uses the allocator.
    public func attachLifetime(context: UnsafeMutableRawPointer, words: UnsafeMutableRawPointer?) {
        state.pointee.context = context
        for i in 0..<(state.pointee.cpuIDLimit * state.pointee.classCount) {
            state.pointee.caches[i].lifetimeContext = context
            state.pointee.caches[i].lifetimeWords = words
        }
    }

    // MARK: Hot paths

    /// The class index for a request on this allocator's path, or nil when the path cannot hold
    /// it (0, > 4088, or > the fixed size). Callers with one object size compute it once.
    @inlinable @inline(__always)
    public func classIndex(forRequest size: Int) -> Int? {
        let fixedUnitSize = state.pointee.fixedUnitSize
        if fixedUnitSize == 0 { return SizeClass.index(forRequest: size) }
        return size > 0 && size &+ ObjectHeader.size <= fixedUnitSize ? 0 : nil
    }

    /// Allocates `size` bytes on `cpu` (memalloc.c `unit_alloc`). Returns nil for size 0, a
    /// size the path cannot hold (> 4088, or > the fixed size), or exhausted node memory.
    @inlinable @inline(__always)
    public func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        guard let cls = classIndex(forRequest: size) else { return nil }
        return allocate(classIndex: cls, cpu: cpu)
    }

    /// Allocates from class `classIndex` directly (callers that computed the class once).
    @inlinable @inline(__always)
    public func allocate(classIndex cls: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        MemAllocator.allocate(from: cache(cpu: cpu, classIndex: cls))
    }

    /// The cache of `cpu` and class `classIndex`.
    @inlinable @inline(__always)
    public func cache(cpu: Int, classIndex: Int) -> UnsafeMutablePointer<PerCPUCache> {
        state.pointee.caches + (cpu &* state.pointee.classCount &+ classIndex)
    }

    /// `unit_alloc` on one cache: pop, and below the low watermark refill one batch.
    @inlinable @inline(__always)
    public static func allocate(from c: UnsafeMutablePointer<PerCPUCache>) -> UnsafeMutableRawPointer? {
        guard let u = c.pointee.freeHead else { return allocateSlow(c) }
        c.pointee.freeHead = ObjectHeader.next(ofUnit: u)
        let left = c.pointee.freeCount &- 1
        c.pointee.freeCount = left
        ObjectHeader.setOwner(c, ofUnit: u)
        // Kernel: below the low watermark, queue an async refill (irq_work). Here the refill runs
        // inline on this CPU, once per `batch` allocations (see README "Model fidelity").
        if _slowPath(left < Int(c.pointee.lowWatermark)) { refill(c, count: Int(c.pointee.batch)) }
        return ObjectHeader.object(of: u)
    }

    /// The owner cache of an allocated object, from its header.
    @inlinable @inline(__always)
    public static func ownerCache(of object: UnsafeMutableRawPointer) -> UnsafeMutablePointer<PerCPUCache> {
        ObjectHeader.owner(ofUnit: ObjectHeader.unit(of: object))
    }

    /// Frees an object from any allocator on `cpu` (memalloc.c `unit_free`): it joins the
    /// freeing CPU's cache of the owner's allocator and class, found through the header alone.
    @inlinable @inline(__always)
    public static func free(_ object: UnsafeMutableRawPointer, cpu: Int) {
        free(object, owner: ownerCache(of: object), cpu: cpu)
    }

    /// `free` with the owner cache already read from the header (strategies read it once for
    /// both the free and their accounting).
    @inlinable @inline(__always)
    public static func free(_ object: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int) {
        let u = ObjectHeader.unit(of: object)
        let c = owner.pointee.classColumn + cpu &* Int(owner.pointee.classCount)
        c.pointee.drainTarget = owner
        ObjectHeader.setNext(c.pointee.freeHead, ofUnit: u)
        c.pointee.freeHead = u
        let count = c.pointee.freeCount &+ 1
        c.pointee.freeCount = count
        if _slowPath(count > Int(c.pointee.highWatermark)) { drain(c) }
    }

    /// `free` for an object known to come from this allocator.
    @inlinable @inline(__always)
    public func free(_ object: UnsafeMutableRawPointer, cpu: Int) { MemAllocator.free(object, cpu: cpu) }

    /// The allocator an allocated object belongs to, read from its header.
    @inlinable @inline(__always)
    public static func owner(of object: UnsafeMutableRawPointer) -> MemAllocator {
        MemAllocator(unsafeState: ownerCache(of: object).pointee.allocator)
    }

    /// The lifetime words attached to `cache`'s allocator (see `attachLifetime`).
    @inlinable @inline(__always)
    public static func lifetimeWords(of cache: UnsafeMutablePointer<PerCPUCache>) -> UnsafeMutableRawPointer {
        cache.pointee.lifetimeWords.unsafelyUnwrapped
    }

    /// The lifetime record attached to `cache`'s allocator (see `attachLifetime`).
    @inlinable @inline(__always)
    public static func lifetimeContext(of cache: UnsafeMutablePointer<PerCPUCache>) -> UnsafeMutableRawPointer {
        cache.pointee.lifetimeContext.unsafelyUnwrapped
    }

    /// CPU id 0's cache of class 0: every cache's descriptor names the same lifetime.
    @inlinable public var firstCache: UnsafeMutablePointer<PerCPUCache> { state.pointee.caches }

    // MARK: Slow paths (no lock anywhere)

    @usableFromInline @inline(never)
    static func allocateSlow(_ c: UnsafeMutablePointer<PerCPUCache>) -> UnsafeMutableRawPointer? {
        refill(c, count: Int(c.pointee.batch))
        guard let u = c.pointee.freeHead else { return nil }
        c.pointee.freeHead = ObjectHeader.next(ofUnit: u)
        c.pointee.freeCount &-= 1
        ObjectHeader.setOwner(c, ofUnit: u)
        return ObjectHeader.object(of: u)
    }

    /// Moves `count` units into the cache (memalloc.c `alloc_bulk`): first what other CPUs
    /// returned to it, then its own spare units, then fresh units carved from its slab.
    /// Returned units move as whole chains (`UnitChain`), never walked: their lines were last
    /// written by the CPU that drained them, so walking them would cost a miss per unit. A chain
    /// that would overfill the cache waits on the spare list, which refills take unit by unit.
    @usableFromInline @inline(never)
    static func refill(_ c: UnsafeMutablePointer<PerCPUCache>, count: Int) {
        var need = count
        let high = Int(c.pointee.highWatermark)
        var next = ReturnList.takeAll(from: c)
        if next != nil { c.pointee.sharedOperations &+= 1 }
        while let head = next {
            let chain = UnitChain(head: head)
            next = ObjectHeader.next(ofUnit: chain.tail)
            // A drained chain is at most high − (low+high)/2 + 1 units, so the first one fits.
            if need > 0 && c.pointee.freeCount + chain.count <= high {
                chain.splice(onto: &c.pointee.freeHead)
                c.pointee.freeCount &+= chain.count
                need -= chain.count
            } else {
                chain.splice(onto: &c.pointee.spareHead)
                c.pointee.spareCount &+= chain.count
            }
        }
        while need > 0, let unit = c.pointee.spareHead {
            c.pointee.spareHead = ObjectHeader.next(ofUnit: unit)
            c.pointee.spareCount &-= 1
            ObjectHeader.setNext(c.pointee.freeHead, ofUnit: unit)
            c.pointee.freeHead = unit
            c.pointee.freeCount &+= 1
            need -= 1
        }
        if need > 0 { carve(c, count: need) }
        c.pointee.refills &+= 1
    }

    /// Carves up to `count` fresh units from the cache's slab, taking a new slab from node
    /// memory when the current one is used up. Stops early only when node memory is exhausted.
    static func carve(_ c: UnsafeMutablePointer<PerCPUCache>, count: Int) {
        let unitSize = Int(c.pointee.unitSize)
        var need = count
        while need > 0 {
            guard let cursor = c.pointee.slabCursor, let end = c.pointee.slabEnd, cursor + unitSize <= end else {
                if !newSlab(c) { return }
                continue
            }
            ObjectHeader.setNext(c.pointee.freeHead, ofUnit: cursor)
            c.pointee.freeHead = cursor
            c.pointee.freeCount &+= 1
            c.pointee.carvedUnits &+= 1
            c.pointee.slabCursor = cursor + unitSize
            need -= 1
        }
    }

    static func newSlab(_ c: UnsafeMutablePointer<PerCPUCache>) -> Bool {
        let bytes = SlabHeader.slabBytes(unitSize: Int(c.pointee.unitSize), batch: Int(c.pointee.batch))
        guard let slab = try? c.pointee.allocator.pointee.memory.allocate(bytes: bytes, node: Int(c.pointee.node)) else {
            return false
        }
        slab.storeBytes(of: SlabHeader(next: c.pointee.slabs, bytes: bytes), as: SlabHeader.self)
        c.pointee.slabs = slab
        c.pointee.slabCursor = slab + SlabHeader.size
        c.pointee.slabEnd = slab + bytes
        c.slabByteCount.wrappingIncrement(by: bytes, ordering: .relaxed)
        return true
    }

    /// Drains the cache down to (low + high) / 2 (memalloc.c `free_bulk`): to the owner of the
    /// last freed object (`c->tgt`) — this cache's own spare list when that is itself, else
    /// the owner's returned list, pushed as one chain with one CAS.
    @usableFromInline @inline(never)
    static func drain(_ c: UnsafeMutablePointer<PerCPUCache>) {
        let keep = Int(c.pointee.lowWatermark + c.pointee.highWatermark) / 2
        let n = c.pointee.freeCount - keep
        guard n > 0, let head = c.pointee.freeHead else { return }
        var tail = head
        for _ in 1..<n { tail = ObjectHeader.next(ofUnit: tail).unsafelyUnwrapped }
        c.pointee.freeHead = ObjectHeader.next(ofUnit: tail)
        c.pointee.freeCount = keep
        c.pointee.drains &+= 1
        let target = c.pointee.drainTarget ?? c
        if target == c {
            ObjectHeader.setNext(c.pointee.spareHead, ofUnit: tail)
            c.pointee.spareHead = head
            c.pointee.spareCount &+= n
        } else {
            ReturnList.push(UnitChain(head: head, tail: tail, count: n), onto: target)
            c.pointee.remoteReturns &+= Int32(n)
            c.pointee.sharedOperations &+= 1
        }
    }
}
