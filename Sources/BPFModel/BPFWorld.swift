import Glibc
import MemAlloc
import Platform
import Strategies

/// The model's kernel for strategy `S`: creates maps and programs, holds the fd table and the
/// pin namespace, runs `bpf_obj_alloc`/`bpf_obj_free`/`kptr_xchg`, and — in checked mode —
/// watches every object with a `LifetimeChecker`.
///
/// Hot operations (`objNew`, `objDrop`, `kptrXchg`) take no lock; the caller runs on `cpu` as
/// the core requires. Control operations (create, close, pin, map-in-map updates) are
/// serialized by one lock, taken offline from QSBR so a kill's grace period inside one cannot
/// wait on the caller itself. Frees a control operation causes go to `cpu`, by default the
/// world's `controlCPU`: an extra logical CPU no worker uses (the kernel's workqueue CPU),
/// so control frees never race a worker's cache.
public final class BPFWorld<S: LifetimeStrategy> {
    public typealias FileDescriptor = Int32

    /// The workers' topology plus the control CPU.
    public let topology: Topology
    public let controlCPU: Int
    public let checker: LifetimeChecker?
    /// When freed units are reused (checked worlds; an unchecked world always reuses at once).
    public let reuse: ReuseRule
    /// `bpf_global_ma`, for `global` only: created with the world, never killed.
    public private(set) var globalLifetime: AllocatorLifetime?

    private var controlLock = pthread_mutex_t()
    private var objectIDs = 0
    private var fds: [FileDescriptor: BPFObject] = [:]
    private var nextFD: FileDescriptor = 3
    private var pins: [String: BPFObject] = [:]
    private var lifetimes: [AllocatorLifetime] = []
    private var objects: [BPFObject] = []
    private var globalTornDown = false

    /// - Parameter checked: build allocators with tombstones and watch every object (the
    ///   use-after-free detector). Costs a lock per operation: for scenarios, not benchmarks.
    /// - Parameter reuse: `rcu` parks freed units until a grace period (checked worlds only).
    public init(topology workers: Topology, checked: Bool = false, reuse: ReuseRule = .immediate) throws {
        precondition(checked || reuse == .immediate, "the rcu reuse rule is modelled in checked worlds only")
        controlCPU = workers.cpuIDLimit
        let anchor = workers.cpus[0].node
        topology = Topology(cpus: workers.cpus + [Topology.CPU(id: controlCPU, node: anchor)], isReal: workers.isReal)
        self.reuse = reuse
        checker = checked ? LifetimeChecker(reuse: reuse, reclaimCPU: controlCPU) : nil
        globalLifetime = nil
        pthread_mutex_init(&controlLock, nil)
        if S.isImmortal {
            let lifetime = try makeLifetime(path: .sizeClasses)
            lifetime.acquireOwner()  // immortal: only `tearDownGlobal` drops it
            globalLifetime = lifetime
        }
    }

    deinit {
        checker?.recordLeaksAtTeardown()
        objects.removeAll()
        fds.removeAll()
        pins.removeAll()
        for lifetime in lifetimes { lifetime.deallocate() }
        pthread_mutex_destroy(&controlLock)
    }

    func nextObjectID() -> Int {
        objectIDs += 1
        return objectIDs
    }

    private func makeLifetime(path: MemAllocator.Path) throws -> AllocatorLifetime {
        let allocator = try MemAllocator(topology: topology, path: path, keepTombstone: checker != nil)
        let lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit,
                                              keepsTombstone: checker != nil, withPercpuRef: S.usesPercpuRef,
                                              observer: checker)
        lifetimes.append(lifetime)
        return lifetime
    }

    /// Runs a control operation: serialized, offline from QSBR while it waits and runs.
    public func control<R>(_ body: () throws -> R) rethrows -> R {
        try QSBR.whileOffline {
            pthread_mutex_lock(&controlLock)
            defer { pthread_mutex_unlock(&controlLock) }
            return try body()
        }
    }

    // MARK: Objects (bpf syscall)

    /// `BPF_MAP_CREATE(MAP_TYPE_ALLOCATOR)`: `objectSize` is the value size — > 0 takes the
    /// fixed-size path where the strategy uses it (kmem-cache). Returns the map and an fd.
    public func createAllocatorMap(objectSize: Int = 0) throws -> (AllocatorMap<S>, FileDescriptor) {
        try control {
            let map: AllocatorMap<S>
            if let global = globalLifetime {
                map = AllocatorMap(world: self, lifetime: global, holdsOwner: false)
            } else {
                let path = objectSize > 0 ? S.allocatorPath(objectSize: objectSize) : .sizeClasses
                map = AllocatorMap(world: self, lifetime: try makeLifetime(path: path), holdsOwner: true)
            }
            return (map, install(map))
        }
    }

    /// `BPF_MAP_CREATE(ARRAY)` with one local-kptr slot per value.
    public func createArrayMap(values: Int) -> (ArrayMap<S>, FileDescriptor) {
        control {
            let map = ArrayMap(world: self, valueCount: values)
            return (map, install(map))
        }
    }

    /// `BPF_MAP_CREATE(ARRAY_OF_MAPS)`.
    public func createMapOfMaps(entries: Int) -> (MapOfMaps<S>, FileDescriptor) {
        control {
            let map = MapOfMaps(world: self, entryCount: entries)
            return (map, install(map))
        }
    }

    /// `BPF_PROG_LOAD`: the program holds every map in `usedMaps`.
    public func loadProgram(usedMaps: [BPFMap<S>], name: String = "prog") -> (Program<S>, FileDescriptor) {
        control {
            let program = Program(world: self, usedMaps: usedMaps, name: name)
            return (program, install(program))
        }
    }

    /// A new object's first fd; the world keeps the object for teardown.
    private func install(_ object: BPFObject) -> FileDescriptor {
        objects.append(object)
        return openFD(object)
    }

    /// A new fd holding a reference to `object`. Caller holds the control lock.
    private func openFD(_ object: BPFObject) -> FileDescriptor {
        object.hold()
        let fd = nextFD
        nextFD += 1
        fds[fd] = object
        return fd
    }

    /// `close(fd)`: drops the fd's reference; the last one frees the object.
    public func close(_ fd: FileDescriptor, cpu: Int? = nil) {
        control {
            guard let object = fds.removeValue(forKey: fd) else { preconditionFailure("close of unknown fd \(fd)") }
            object.drop(cpu: cpu ?? controlCPU)
        }
    }

    /// A new fd for an object reachable through another fd (`dup`).
    public func duplicate(_ fd: FileDescriptor) -> FileDescriptor {
        control {
            guard let object = fds[fd] else { preconditionFailure("dup of unknown fd \(fd)") }
            return openFD(object)
        }
    }

    public func isOpen(_ fd: FileDescriptor) -> Bool { control { fds[fd] != nil } }

    /// `BPF_OBJ_PIN`: the pin holds a reference, so the object outlives every fd and program.
    public func pin(_ fd: FileDescriptor, at path: String) {
        control {
            guard let object = fds[fd] else { preconditionFailure("pin of unknown fd \(fd)") }
            precondition(pins[path] == nil, "\(path) already pinned")
            object.hold()
            pins[path] = object
        }
    }

    /// `unlink` of a pin: drops its reference.
    public func unpin(_ path: String, cpu: Int? = nil) {
        control {
            guard let object = pins.removeValue(forKey: path) else { preconditionFailure("no pin at \(path)") }
            object.drop(cpu: cpu ?? controlCPU)
        }
    }

    /// `BPF_OBJ_GET`: an fd for a pinned object.
    public func openPinned(_ path: String) -> FileDescriptor {
        control {
            guard let object = pins[path] else { preconditionFailure("no pin at \(path)") }
            return openFD(object)
        }
    }

    /// `bpf_map_update_elem(outer, index, inner)`.
    public func updateOuter(_ outer: MapOfMaps<S>, index: Int, with inner: ArrayMap<S>, cpu: Int? = nil) {
        control { outer.update(index, with: inner, cpu: cpu ?? controlCPU) }
    }

    /// `bpf_map_delete_elem(outer, index)`.
    public func deleteOuter(_ outer: MapOfMaps<S>, index: Int, cpu: Int? = nil) {
        control { outer.delete(index, cpu: cpu ?? controlCPU) }
    }

    // MARK: Objects (BPF helpers, hot)

    /// `bpf_obj_alloc(&alloc_map, size)` from a program holding `map`.
    @inlinable
    public func objNew(_ map: AllocatorMap<S>, size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        let lifetime = map.lifetime
        if let checker {
            if lifetime.isDestroyed {
                checker.record(.allocatorTouchedAfterDestroy(allocator: lifetime.serial, operation: "bpf_obj_alloc"))
                return nil
            }
            guard let object = S.allocate(from: lifetime, size: size, cpu: cpu) else { return nil }
            checker.objectAllocated(object, from: lifetime)
            return object
        }
        return S.allocate(from: lifetime, size: size, cpu: cpu)
    }

    /// `bpf_obj_free(ptr)`: through the header, with the strategy's put. In checked mode a free
    /// into a destroyed allocator is recorded and not performed; the free runs in BPF program
    /// context (a release it causes is deferred until sleeping is allowed), and under `rcu` the
    /// unit is parked until a grace period while the put happens now.
    @inlinable
    public func objDrop(_ object: UnsafeMutableRawPointer, cpu: Int) {
        if let checker { return checkedDrop(object, cpu: cpu, checker) }
        S.free(object, cpu: cpu)
    }

    @usableFromInline
    func checkedDrop(_ object: UnsafeMutableRawPointer, cpu: Int, _ checker: LifetimeChecker) {
        ExecutionContext.run(.program) {
            switch reuse {
            case .immediate:
                checker.free(object) { S.free(object, cpu: cpu) }
            case .rcu:
                checker.freeParkingUnit(object) {
                    guard S.countsObjects else { return }
                    let owner = MemAllocator.ownerCache(of: object)
                    S.objectFreed(words: MemAllocator.lifetimeWords(of: owner), owner: owner, cpu: cpu)
                }
            }
        }
    }

    /// `bpf_obj_drop` paused at its window (checked worlds): the header is read (and, for a
    /// percpu_ref, the mode checked), then `pause` runs, then the free completes — the unit
    /// back (or parked under `rcu`) and the put's store. A destroy that lands in the pause is
    /// seen when the free completes. Whether a kill's grace period covers the pause is the
    /// caller's: call it inside `readSide` for a correct put.
    public func objDropPaused(_ object: UnsafeMutableRawPointer, cpu: Int, pause: () -> Void) {
        guard let checker else { preconditionFailure("objDropPaused needs a checked world") }
        ExecutionContext.run(.program) {
            guard let lifetime = checker.beginPausedFree(object) else { return }
            let owner = MemAllocator.ownerCache(of: object)  // the header read
            let words = MemAllocator.lifetimeWords(of: owner)
            let percpu = S.usesPercpuRef && PercpuRef(words: words).putReadsPercpuMode()
            pause()
            checker.finishPausedFree(object, lifetime, unit: { MemAllocator.free($0, owner: owner, cpu: cpu) }) {
                if S.usesPercpuRef {
                    PercpuRef(words: words).finishPut(percpu: percpu, cpu: cpu)
                } else if S.countsObjects {
                    S.objectFreed(words: words, owner: owner, cpu: cpu)
                }
            }
        }
    }

    /// Runs `body` as one read-side section on the calling thread (`rcu_read_lock`): an online
    /// QSBR reader that announces no quiescent state until it returns, so a grace period
    /// started meanwhile waits for it. Registers the thread for the section if it is not.
    public func readSide<R>(_ body: () throws -> R) rethrows -> R {
        let registered = QSBR.isRegistered
        if !registered { QSBR.registerThread() }
        let wasOnline = QSBR.isOnline
        if !wasOnline { QSBR.online() }
        defer {
            if !wasOnline { QSBR.offline() }
            if !registered { QSBR.unregisterThread() }
        }
        return try ExecutionContext.readSection(body)
    }

    /// `rcu`: the RCU callbacks of the frees so far run after a grace period (the parked units
    /// go back to their allocators). No effect under `immediate`. Not inside a read-side section.
    public func reclaimParkedUnits() { checker?.reclaimParkedUnits() }

    /// `bpf_kptr_xchg(&map[index].kptr, object)`.
    @inlinable
    public func kptrXchg(_ map: ArrayMap<S>, index: Int, _ object: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        map.exchange(index: index, with: object)
    }

    // MARK: Teardown

    /// Process end for `global`: drops the immortal allocator's owner reference, destroying it,
    /// so leaks can be counted. No effect for other strategies.
    @discardableResult
    public func tearDownGlobal() -> DestroyReport? {
        checker?.reclaimParkedUnits(all: true)  // rcu_barrier: every parked unit back first
        return control {
            guard let global = globalLifetime, !globalTornDown else { return globalLifetime?.destroyReport }
            globalTornDown = true
            global.releaseOwner(S.self)
            return global.destroyReport
        }
    }

    /// Every allocator the world created, in creation order.
    public var allocatorLifetimes: [AllocatorLifetime] { control { lifetimes } }
}
