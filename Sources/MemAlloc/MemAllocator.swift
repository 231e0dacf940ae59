import Glibc
import Platform

/// A BPF memory allocator: per-CPU caches over per-node pools, modelled on
/// kernel/bpf/memalloc.c.
///
/// A trivially copyable handle (a pointer), so passing it around does no retain/release.
/// `allocate`/`free` on the calling CPU take no lock, make no atomic RMW and allocate nothing;
/// only refills and drains (one per `batch` operations) take the node pool's lock.
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
    private static var serialLock = pthread_mutex_t()

    /// Creates the allocator: caches for every CPU of `topology`, pools for every node, each
    /// cache prefilled (4 objects, or 1 above 256 B) from its node's pool.
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
        let nodeLimit = topology.nodeIDLimit
        let params = unitSizes.map { CacheParameters(unitSize: $0) }

        let pools = UnsafeMutablePointer<NodePool>.allocate(capacity: nodeLimit * classCount)
        for node in 0..<nodeLimit {
            for cls in 0..<classCount {
                (pools + node * classCount + cls).initialize(to: NodePool(unitSize: unitSizes[cls], node: node, memory: memory))
                (pools + node * classCount + cls).initializeLock()
            }
        }
        let rawCaches = UnsafeMutableRawPointer.allocate(
            byteCount: cpuLimit * classCount * MemoryLayout<PerCPUCache>.stride, alignment: CacheLine.perCPUStride)
        let caches = rawCaches.bindMemory(to: PerCPUCache.self, capacity: cpuLimit * classCount)

        pthread_mutex_lock(&MemAllocator.serialLock)
        MemAllocator.nextSerial += 1
        let serial = MemAllocator.nextSerial
        pthread_mutex_unlock(&MemAllocator.serialLock)

        let state = UnsafeMutablePointer<AllocatorState>.allocate(capacity: 1)
        state.initialize(to: AllocatorState(
            caches: caches, cpuIDLimit: cpuLimit, classCount: classCount, pools: pools, nodeIDLimit: nodeLimit,
            fixedUnitSize: path == .sizeClasses ? 0 : unitSizes[0], onlineCPUs: topology.cpus.map(\.id),
            memory: memory, isDestroyed: false, keepsTombstone: keepTombstone, context: nil, serial: serial))
        self.state = state

        let fallbackNode = topology.cpus[0].node
        for cpu in 0..<cpuLimit {
            let node = topology.node(ofCPU: cpu) ?? fallbackNode
            for cls in 0..<classCount {
                let p = params[cls]
                (caches + cpu * classCount + cls).initialize(to: PerCPUCache(
                    freeHead: nil, freeCount: 0, lowWatermark: Int32(p.lowWatermark), highWatermark: Int32(p.highWatermark),
                    batch: Int32(p.batch), unitSize: Int32(p.unitSize), classIndex: Int32(cls), cpu: Int32(cpu),
                    node: Int32(node), classCount: Int32(classCount), siblings: caches,
                    pool: pools + node * classCount + cls, drainTarget: nil, allocator: state,
                    allocs: 0, frees: 0, remoteFrees: 0, refills: 0, drains: 0))
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
                    throw PlatformError.outOfMemory(bytes: NodePool.slabSize(unitSize: p(cls), batch: 1), node: node(cpu))
                }
            }
        }
        func p(_ cls: Int) -> Int { unitSizes[cls] }
        func node(_ cpu: Int) -> Int { topology.node(ofCPU: cpu) ?? fallbackNode }
    }

    public init(unsafeState: UnsafeMutablePointer<AllocatorState>) { state = unsafeState }

    public var path: Path {
        state.pointee.fixedUnitSize == 0 ? .sizeClasses : .fixedSize(state.pointee.fixedUnitSize - ObjectHeader.size)
    }

    // MARK: Hot paths

    /// Allocates `size` bytes on `cpu` (memalloc.c `unit_alloc`). Returns nil for size 0, a
    /// size the path cannot hold (> 4088, or > the fixed size), or exhausted node memory.
    @inlinable @inline(__always)
    public func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        let cls: Int
        let fixedUnitSize = state.pointee.fixedUnitSize
        if fixedUnitSize == 0 {
            guard let c = SizeClass.index(forRequest: size) else { return nil }
            cls = c
        } else {
            guard size > 0 && size &+ ObjectHeader.size <= fixedUnitSize else { return nil }
            cls = 0
        }
        return allocate(classIndex: cls, cpu: cpu)
    }

    /// Allocates from class `classIndex` directly (callers that computed the class once).
    @inlinable @inline(__always)
    public func allocate(classIndex cls: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        let c = state.pointee.caches + (cpu &* state.pointee.classCount &+ cls)
        var unit = c.pointee.freeHead
        if _slowPath(unit == nil) {
            MemAllocator.refill(c, count: Int(c.pointee.batch))
            unit = c.pointee.freeHead
            if unit == nil { return nil }
        }
        let u = unit.unsafelyUnwrapped
        c.pointee.freeHead = ObjectHeader.next(ofUnit: u)
        c.pointee.freeCount &-= 1
        c.pointee.allocs &+= 1
        ObjectHeader.setOwner(c, ofUnit: u)
        // Kernel: below the low watermark, queue an async refill (irq_work). Here the refill runs
        // inline on this CPU, once per `batch` allocations.
        if _slowPath(c.pointee.freeCount < Int(c.pointee.lowWatermark)) {
            MemAllocator.refill(c, count: Int(c.pointee.batch))
        }
        return ObjectHeader.object(of: u)
    }

    /// Frees an object from any allocator on `cpu` (memalloc.c `unit_free`): it joins the
    /// freeing CPU's cache of the owner's allocator and class, found through the header alone.
    @inlinable @inline(__always)
    public static func free(_ object: UnsafeMutableRawPointer, cpu: Int) {
        let u = ObjectHeader.unit(of: object)
        let owner = ObjectHeader.owner(ofUnit: u)
        let classCount = Int(owner.pointee.classCount)
        let c = owner.pointee.siblings + (cpu &* classCount &+ Int(owner.pointee.classIndex))
        if Int(owner.pointee.cpu) != cpu { c.pointee.remoteFrees &+= 1 }
        c.pointee.drainTarget = owner
        ObjectHeader.setNext(c.pointee.freeHead, ofUnit: u)
        c.pointee.freeHead = u
        c.pointee.freeCount &+= 1
        c.pointee.frees &+= 1
        if _slowPath(c.pointee.freeCount > Int(c.pointee.highWatermark)) {
            MemAllocator.drain(c)
        }
    }

    /// `free` for an object known to come from this allocator.
    @inlinable @inline(__always)
    public func free(_ object: UnsafeMutableRawPointer, cpu: Int) { MemAllocator.free(object, cpu: cpu) }

    /// The allocator an allocated object belongs to, read from its header.
    @inlinable @inline(__always)
    public static func owner(of object: UnsafeMutableRawPointer) -> MemAllocator {
        MemAllocator(unsafeState: ObjectHeader.owner(ofUnit: ObjectHeader.unit(of: object)).pointee.allocator)
    }

    // MARK: Slow paths

    /// Moves up to `count` units from the CPU's node pool into its cache.
    @usableFromInline @inline(never)
    static func refill(_ c: UnsafeMutablePointer<PerCPUCache>, count: Int) {
        let (head, tail, taken) = c.pointee.pool.take(count, batch: Int(c.pointee.batch))
        guard let h = head, let t = tail else { return }
        ObjectHeader.setNext(c.pointee.freeHead, ofUnit: t)
        c.pointee.freeHead = h
        c.pointee.freeCount &+= taken
        c.pointee.refills &+= 1
    }

    /// Drains the cache down to (low + high) / 2 into the node pool of the last freed object's
    /// owner (memalloc.c `free_bulk` with the `c->tgt` hint).
    @usableFromInline @inline(never)
    static func drain(_ c: UnsafeMutablePointer<PerCPUCache>) {
        let target = Int(c.pointee.lowWatermark + c.pointee.highWatermark) / 2
        let n = c.pointee.freeCount - target
        guard n > 0, let head = c.pointee.freeHead else { return }
        var tail = head
        for _ in 1..<n { tail = ObjectHeader.next(ofUnit: tail)! }
        c.pointee.freeHead = ObjectHeader.next(ofUnit: tail)
        c.pointee.freeCount = target
        c.pointee.drains &+= 1
        let pool = (c.pointee.drainTarget ?? c).pointee.pool
        pool.give(head: head, tail: tail, count: n)
    }
}
