import MemAlloc
import Platform

/// What owning one allocator costs under one lifetime design, measured on the model for one
/// topology (injected or this machine's): the time to create the program's allocator (and its
/// percpu_ref), the bytes it holds at creation, the bytes one surviving object pins after the
/// allocator map is gone, and the destroy that follows the last reference. No workers: the
/// caches of every CPU are created, prefilled and read from the calling thread, which is what
/// `bpf_mem_alloc_init` does for every possible CPU too.
public struct OwnershipCost: Sendable {
    /// Bytes in two currencies: what the kernel would pay and what the model reserves.
    public struct Bytes: Equatable, Sendable {
        public var kernel = 0
        public var model = 0
        /// Objects on the per-CPU free lists × unit size (part of both).
        public var lists = 0
        public var listObjects = 0
        public static let zero = Bytes()
        public init(kernel: Int = 0, model: Int = 0, lists: Int = 0, listObjects: Int = 0) {
            self.kernel = kernel
            self.model = model
            self.lists = lists
            self.listObjects = listObjects
        }
    }

    public let design: String
    public let cpus: Int
    public let nodes: Int
    /// `global`: one allocator shared by every program (bpf_global_ma), made once at boot, so
    /// a program costs nothing here; `boot` holds what that one allocator costs.
    public let sharedAllocator: Bool
    /// Per program: creating the allocator and its lifetime record (0 for `global`).
    public var initNanoseconds = 0
    public var atInit = Bytes.zero
    /// After the allocator map is gone, with one object alive (0 for `global`: the object
    /// pins nothing of a program's own).
    public var pinned = Bytes.zero
    /// From dropping the last reference (the object's free, or the last used_allocators
    /// entry) until every byte is back.
    public var destroyNanoseconds = 0
    /// What the destroy gave back, and what the allocator held just before it.
    public var bytesReturned = 0
    public var slabBytesBeforeDestroy = 0
    /// The one shared allocator's creation (`global` only).
    public var boot: (nanoseconds: Int, bytes: Bytes)? = nil
    /// The lifetime's own bytes inside the figures above (percpu_ref: 8 B per possible CPU +
    /// `percpu_ref_data` in the kernel; 128 B padded slots in the model).
    public var lifetime = Bytes.zero
    /// The footprint at creation, per class and CPU (for the breakdown tables).
    public var initFootprint: AllocatorFootprint?
}

/// The per-object lifetime record's bytes, beside the allocator: the kernel's and the model's.
public enum LifetimeBytes {
    /// percpu_ref: `alloc_percpu(unsigned long)` (8 B × possible CPUs) + `percpu_ref_data`.
    public static func percpuRefKernel(cpus: Int, _ sizes: KernelStructSizes) -> Int { 8 * cpus + sizes.percpuRefData }
    /// The model's percpu_ref: padded words (flags, count, releases, folded, one slot per CPU).
    public static func percpuRefModel(cpus: Int) -> Int { (PercpuRef.firstSlotWord + cpus) * PaddedAtomicStorage.stride }

    /// Kernel bytes of the design's lifetime record per allocator: the atomic count (8 B), a
    /// used_allocators entry (one pointer), the percpu_ref; nothing for global.
    public static func kernel<S: LifetimeStrategy>(_: S.Type, cpus: Int, _ sizes: KernelStructSizes) -> Int {
        if S.isImmortal { return 0 }
        var b = S.usesPercpuRef ? percpuRefKernel(cpus: cpus, sizes) : 8
        if S.usesPercpuRef && S.collectsUsedAllocators { b += 8 }
        return b
    }

    /// Model bytes: the lifetime's padded words (3 × 128 B) plus its percpu_ref, if any.
    public static func model<S: LifetimeStrategy>(_: S.Type, cpus: Int) -> Int {
        if S.isImmortal { return 0 }
        return AllocatorLifetime.wordCount * PaddedAtomicStorage.stride + (S.usesPercpuRef ? percpuRefModel(cpus: cpus) : 0)
    }
}

/// Measures `OwnershipCost` for a design on a topology.
public struct OwnershipProbe<S: LifetimeStrategy> {
    public let topology: Topology
    public let objectSize: Int
    public let sizes: KernelStructSizes

    public init(_: S.Type, topology: Topology, objectSize: Int = 64, sizes: KernelStructSizes) {
        self.topology = topology
        self.objectSize = objectSize
        self.sizes = sizes
    }

    enum ProbeError: Error, CustomStringConvertible {
        case notDestroyed(String), leaked(String), allocationFailed
        var description: String {
            switch self {
            case .notDestroyed(let s): return "allocator not destroyed after its last reference (\(s))"
            case .leaked(let s): return "destroy did not return every byte (\(s))"
            case .allocationFailed: return "allocation failed"
            }
        }
    }

    func bytes(_ f: AllocatorFootprint, lifetimeKernel: Int, lifetimeModel: Int) -> OwnershipCost.Bytes {
        OwnershipCost.Bytes(kernel: f.kernelBytes(sizes) + lifetimeKernel, model: f.modelBytes + lifetimeModel,
                            lists: f.listBytes, listObjects: f.listObjects)
    }

    /// Creates the allocator a program of this design owns, with its lifetime (the allocator
    /// map holds the owner reference).
    public func create() throws -> AllocatorLifetime {
        let allocator = try MemAllocator(topology: topology, path: S.allocatorPath(objectSize: objectSize), keepTombstone: true)
        let lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit, keepsTombstone: true,
                                              withPercpuRef: S.usesPercpuRef, observer: nil)
        lifetime.acquireOwner()
        return lifetime
    }

    /// One allocator's life: create, read, pin with one object, drop the owner, destroy.
    public func measure() throws -> OwnershipCost {
        let cpus = topology.cpuIDLimit
        let lk = LifetimeBytes.kernel(S.self, cpus: cpus, sizes), lm = LifetimeBytes.model(S.self, cpus: cpus)
        var cost = OwnershipCost(design: S.name, cpus: topology.cpus.count, nodes: topology.nodes.count, sharedAllocator: S.isImmortal)
        cost.lifetime = OwnershipCost.Bytes(kernel: lk, model: lm)

        let t0 = MonotonicClock.nanoseconds()
        let lifetime = try create()
        let createNs = MonotonicClock.nanoseconds() - t0
        defer { lifetime.deallocate() }
        let initFootprint = lifetime.allocator.footprint()
        cost.initFootprint = initFootprint
        if S.isImmortal {
            // The program allocates from the one allocator made at boot: nothing of its own.
            cost.boot = (createNs, bytes(initFootprint, lifetimeKernel: 0, lifetimeModel: 0))
        } else {
            cost.initNanoseconds = createNs
            cost.atInit = bytes(initFootprint, lifetimeKernel: lk, lifetimeModel: lm)
        }

        // One object outlives the program: allocated on CPU 0, the allocator map then goes.
        let cpu = topology.cpus[0].id
        guard let object = S.allocate(from: lifetime, size: objectSize, cpu: cpu) else { throw ProbeError.allocationFailed }
        if S.collectsUsedAllocators { lifetime.acquireOwner() }  // the unload walk's used_allocators entry
        if !S.isImmortal { lifetime.releaseOwner(S.self) }        // the allocator map is freed
        guard !lifetime.isDestroyed else { throw ProbeError.notDestroyed("destroyed while an object lives") }
        if !S.isImmortal { cost.pinned = bytes(lifetime.allocator.footprint(), lifetimeKernel: lk, lifetimeModel: lm) }
        cost.slabBytesBeforeDestroy = lifetime.allocator.heldSlabBytes()

        // The last reference goes: the object's free (refcounting designs), or the map holding
        // it is freed (frees its kptrs, then drops used_allocators); global ends at process end.
        let t1 = MonotonicClock.nanoseconds()
        S.free(object, cpu: cpu)
        if S.collectsUsedAllocators || S.isImmortal { lifetime.releaseOwner(S.self) }
        if S.isImmortal && !lifetime.isDestroyed { lifetime.destroyAllocator() }
        cost.destroyNanoseconds = S.isImmortal ? 0 : MonotonicClock.nanoseconds() - t1
        guard lifetime.isDestroyed, let report = lifetime.destroyReport else {
            throw ProbeError.notDestroyed("\(S.name) on \(cost.cpus) CPUs")
        }
        cost.bytesReturned = report.bytesReturned
        guard report.isClean, report.bytesReturned == cost.slabBytesBeforeDestroy,
              lifetime.allocator.footprint().modelBytes == initFootprint.bookkeepingBytes else {
            throw ProbeError.leaked("\(report); held \(cost.slabBytesBeforeDestroy) B before")
        }
        return cost
    }

    /// `count` programs' allocators at once: total creation time and bytes, then all destroyed.
    public func many(_ count: Int) throws -> (createNanoseconds: Int, destroyNanoseconds: Int, bytes: OwnershipCost.Bytes) {
        let cpus = topology.cpuIDLimit
        let lk = LifetimeBytes.kernel(S.self, cpus: cpus, sizes), lm = LifetimeBytes.model(S.self, cpus: cpus)
        // Every program shares bpf_global_ma: N programs create nothing of their own.
        if S.isImmortal { return (0, 0, .zero) }
        var lifetimes: [AllocatorLifetime] = []
        lifetimes.reserveCapacity(count)
        defer { for l in lifetimes { l.deallocate() } }
        let t0 = MonotonicClock.nanoseconds()
        for _ in 0..<count { lifetimes.append(try create()) }
        let createNs = MonotonicClock.nanoseconds() - t0
        var total = OwnershipCost.Bytes.zero
        for l in lifetimes {
            let b = bytes(l.allocator.footprint(), lifetimeKernel: lk, lifetimeModel: lm)
            total.kernel += b.kernel
            total.model += b.model
            total.lists += b.lists
            total.listObjects += b.listObjects
        }
        let t1 = MonotonicClock.nanoseconds()
        for l in lifetimes { l.releaseOwner(S.self) }  // no objects: the kill destroys at once
        for l in lifetimes where !l.isDestroyed { l.destroyAllocator() }
        let destroyNs = MonotonicClock.nanoseconds() - t1
        return (createNs, destroyNs, total)
    }
}

/// Runs `OwnershipProbe` for a `StrategyKind` (specialized per strategy).
public struct OwnershipVisitor: StrategyVisitor {
    public let topology: Topology
    public let objectSize: Int
    public let sizes: KernelStructSizes
    public init(topology: Topology, objectSize: Int = 64, sizes: KernelStructSizes) {
        self.topology = topology
        self.objectSize = objectSize
        self.sizes = sizes
    }
    public func visit<S: LifetimeStrategy>(_ type: S.Type) throws -> OwnershipCost {
        try OwnershipProbe(type, topology: topology, objectSize: objectSize, sizes: sizes).measure()
    }
}

/// `count` allocators of a `StrategyKind` at once.
public struct ManyAllocatorsVisitor: StrategyVisitor {
    public let topology: Topology
    public let count: Int
    public let objectSize: Int
    public let sizes: KernelStructSizes
    public init(topology: Topology, count: Int, objectSize: Int = 64, sizes: KernelStructSizes) {
        self.topology = topology
        self.count = count
        self.objectSize = objectSize
        self.sizes = sizes
    }
    public func visit<S: LifetimeStrategy>(_ type: S.Type) throws -> (createNanoseconds: Int, destroyNanoseconds: Int, bytes: OwnershipCost.Bytes) {
        try OwnershipProbe(type, topology: topology, objectSize: objectSize, sizes: sizes).many(count)
    }
}
