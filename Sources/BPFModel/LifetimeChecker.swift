import Atomics
import Glibc
import MemAlloc
import Strategies

/// The use-after-free detector of checked worlds.
///
/// Every object allocated through the world is recorded with the lifetime of its allocator.
/// Frees and walks consult the record *before* touching the object, so a checked world reports
/// a fault instead of committing it: an object freed into a destroyed allocator is recorded and
/// not freed (its memory is gone); a header the walk would read from a freed object is not
/// read. Allocators are built with tombstones, so their records stay readable. A free's check
/// and the free itself, a walk's check and header read, and an allocator's destroy all run
/// under one lock, so a destroy on another thread can never fall between a check and its act.
/// Objects are keyed by address: a script must not allocate while it races a walk, or a reused
/// address would look live.
///
/// Under the `rcu` reuse rule the checker also holds the parked units: a free parks its unit
/// (header intact, not on any free list) and `reclaimParkedUnits` gives them back to their
/// allocator after a real QSBR grace period; a walk may read the header of a parked object but
/// not of a reclaimed one. Every destroy first waits a grace period and reclaims what is parked.
public final class LifetimeChecker: AllocatorLifetimeObserver, @unchecked Sendable {
    public enum Event: Equatable, Sendable, CustomStringConvertible {
        /// `bpf_obj_free` on an object whose allocator was already destroyed.
        case objectFreedIntoDestroyedAllocator(object: UInt, allocator: Int)
        case allocatorDestroyedTwice(allocator: Int)
        /// An allocation, `tryget` or header read reached a destroyed allocator.
        case allocatorTouchedAfterDestroy(allocator: Int, operation: String)
        /// A free of something not live: double free, or never allocated here.
        case freeOfUnknownObject(object: UInt)
        /// The unload walk found a pointer to a freed object in a map value and would have read
        /// its header (Kumar's concurrency hole).
        case walkReadFreedObject(object: UInt, map: Int)
        /// An allocator destroyed while objects from it were still live (they can only be
        /// leaked or freed into a dead allocator later).
        case allocatorDestroyedWithLiveObjects(allocator: Int, objects: Int)
        /// Objects still live when the world was torn down.
        case leakedAtTeardown(allocator: Int, objects: Int)
        /// A plain `refcount_inc` on an owner count already at zero (an unload walk found an
        /// object of an allocator whose owners are gone): the kernel's refcount_t reports
        /// "addition on 0; use-after-free" and saturates.
        case ownerReferenceFromZero(allocator: Int)
        /// An allocator destroyed where sleeping is forbidden (inside a BPF program, an NMI or a
        /// read-side section): the destroy waits for RCU callbacks and takes locks.
        case destroyWhereSleepingIsForbidden(allocator: Int, context: String)

        public var isUseAfterFree: Bool {
            switch self {
            case .objectFreedIntoDestroyedAllocator, .allocatorTouchedAfterDestroy, .walkReadFreedObject,
                 .allocatorDestroyedTwice, .freeOfUnknownObject, .ownerReferenceFromZero:
                return true
            case .allocatorDestroyedWithLiveObjects, .leakedAtTeardown, .destroyWhereSleepingIsForbidden:
                return false
            }
        }

        /// A destroy in a context that cannot sleep.
        public var isContextViolation: Bool {
            if case .destroyWhereSleepingIsForbidden = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case .objectFreedIntoDestroyedAllocator(let o, let a):
                return "object 0x\(String(o, radix: 16)) freed into destroyed allocator #\(a)"
            case .allocatorDestroyedTwice(let a): return "allocator #\(a) destroyed twice"
            case .allocatorTouchedAfterDestroy(let a, let op): return "allocator #\(a) touched after destroy (\(op))"
            case .freeOfUnknownObject(let o): return "free of an object not live: 0x\(String(o, radix: 16))"
            case .walkReadFreedObject(let o, let m): return "unload walk of map \(m) read the header of freed object 0x\(String(o, radix: 16))"
            case .allocatorDestroyedWithLiveObjects(let a, let n): return "allocator #\(a) destroyed with \(n) live objects"
            case .leakedAtTeardown(let a, let n): return "\(n) objects of allocator #\(a) leaked at teardown"
            case .ownerReferenceFromZero(let a):
                return "unload walk did refcount_inc on allocator #\(a)'s owner count at zero (refcount_t: addition on 0; use-after-free)"
            case .destroyWhereSleepingIsForbidden(let a, let c):
                return "allocator #\(a) destroyed inline in \(c) context, where sleeping and locks are forbidden"
            }
        }
    }

    private var lock = pthread_mutex_t()
    private var live: [UInt: AllocatorLifetime] = [:]
    private var recorded: [Event] = []
    /// `rcu`: freed objects whose units wait for a grace period, in free order.
    private var parked: [UInt: AllocatorLifetime] = [:]
    private var parkedOrder: [UInt] = []
    /// Objects between the two halves of a paused free (`beginPausedFree`).
    private var pausedFrees: Set<UInt> = []
    /// Serializes reclaims (see `reclaimParkedUnits`).
    private var reclaimLock = pthread_mutex_t()

    public let reuse: ReuseRule
    /// The model CPU whose caches reclaimed units go back to (the world's control CPU: no worker
    /// allocates from it, and every free into it runs under this checker's lock).
    public let reclaimCPU: Int
    /// Threads waiting for a grace period inside the checker right now (scripts watch it to
    /// know that a reader of theirs is holding one up).
    public let gracePeriodWaiters = ManagedAtomic<Int>(0)
    /// Units given back after a grace period, over the world's life.
    public private(set) var reclaimedUnits = 0

    public convenience init() { self.init(reuse: .immediate, reclaimCPU: 0) }

    public init(reuse: ReuseRule, reclaimCPU: Int) {
        self.reuse = reuse
        self.reclaimCPU = reclaimCPU
        // Recursive: a checked free runs the strategy's free under the lock, and that free may
        // be the one that destroys the allocator (which takes the lock again to serialize).
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&lock, &attributes)
        pthread_mutexattr_destroy(&attributes)
        pthread_mutex_init(&reclaimLock, nil)
    }
    deinit {
        pthread_mutex_destroy(&lock)
        pthread_mutex_destroy(&reclaimLock)
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return body()
    }

    /// Every event, in order.
    public var events: [Event] { locked { recorded } }
    /// The first use-after-free class event: the verdict of a scenario.
    public var firstViolation: Event? { locked { recorded.first { $0.isUseAfterFree } } }
    public var liveObjects: Int { locked { live.count } }

    public func record(_ event: Event) { locked { recorded.append(event) } }

    @usableFromInline func objectAllocated(_ object: UnsafeMutableRawPointer, from lifetime: AllocatorLifetime) {
        locked { live[UInt(bitPattern: object)] = lifetime }
    }

    /// A checked `bpf_obj_free`: decides whether `object` may be freed and, when it may, forgets
    /// it and runs `free` — all under the lock, so no destroy (serialized by the same lock) can
    /// land between the check and the free, and no walk sees the object gone before it is.
    @usableFromInline func free(_ object: UnsafeMutableRawPointer, _ free: () -> Void) {
        locked {
            if objectWillBeFreed(object) != nil { free() }
        }
    }

    /// `rcu`: a checked `bpf_obj_drop`: decides whether `object` may be freed and, when it may,
    /// parks its unit (reclaimed after a grace period) and runs `put` (the strategy's
    /// accounting, which may release the allocator), all under the lock.
    @usableFromInline func freeParkingUnit(_ object: UnsafeMutableRawPointer, put: () -> Void) {
        locked {
            guard let lifetime = objectWillBeFreed(object) else { return }
            park(object, lifetime)
            put()
        }
    }

    private func park(_ object: UnsafeMutableRawPointer, _ lifetime: AllocatorLifetime) {
        let key = UInt(bitPattern: object)
        parked[key] = lifetime
        parkedOrder.append(key)
    }

    /// The first half of a free paused at its window: the object is checked and taken out of the
    /// live set (nobody else may free it now). Returns its lifetime, or nil (and an event).
    func beginPausedFree(_ object: UnsafeMutableRawPointer) -> AllocatorLifetime? {
        locked {
            guard let lifetime = objectWillBeFreed(object) else { return nil }
            pausedFrees.insert(UInt(bitPattern: object))
            return lifetime
        }
    }

    /// The second half: if the allocator was destroyed during the pause the free is recorded,
    /// not done; else the unit goes back (immediate) or is parked (rcu) and `finish` runs (the
    /// rest of the strategy's accounting), all under the lock.
    func finishPausedFree(_ object: UnsafeMutableRawPointer, _ lifetime: AllocatorLifetime,
                          unit: (UnsafeMutableRawPointer) -> Void, finish: () -> Void) {
        locked {
            let key = UInt(bitPattern: object)
            pausedFrees.remove(key)
            if lifetime.isDestroyed {
                recorded.append(.objectFreedIntoDestroyedAllocator(object: key, allocator: lifetime.serial))
                return
            }
            if reuse == .rcu { park(object, lifetime) } else { unit(object) }
            finish()
        }
    }

    /// Units parked now.
    public var parkedUnits: Int { locked { parked.count } }

    /// `rcu`: waits a real grace period, then gives every unit parked before the wait back to
    /// its allocator, on `reclaimCPU` (as the RCU callback would). With `all`, units parked
    /// while the grace period ran are reclaimed too (`rcu_barrier` before a destroy). Skips the
    /// wait when nothing is parked unless `all`. Reclaims run one at a time, so a barrier also
    /// waits for a reclaim already under way. The caller must not be inside a read-side section
    /// (a reader waiting for a grace period waits for itself) nor hold this checker's lock.
    public func reclaimParkedUnits(all: Bool = false) {
        guard reuse == .rcu else { return }
        precondition(ExecutionContext.readSections == 0, "a reader cannot wait for a grace period")
        // Blocked offline: the holder may be waiting for a grace period.
        QSBR.whileOffline { _ = pthread_mutex_lock(&reclaimLock) }
        defer { pthread_mutex_unlock(&reclaimLock) }
        // Claimed, not removed: a parked unit stays readable until it is really given back.
        var batch = locked { () -> [UInt] in
            let keys = parkedOrder
            parkedOrder.removeAll()
            return keys
        }
        if batch.isEmpty && !all { return }
        gracePeriodWaiters.wrappingIncrement(ordering: .releasing)
        QSBR.synchronize()
        gracePeriodWaiters.wrappingDecrement(ordering: .releasing)
        if all {
            batch += locked { () -> [UInt] in
                let keys = parkedOrder
                parkedOrder.removeAll()
                return keys
            }
        }
        for key in batch {
            locked {
                guard let lifetime = parked.removeValue(forKey: key) else { return }
                // Parked after a destroy's barrier took its batch: the destroy raced a free.
                if lifetime.isDestroyed {
                    recorded.append(.objectFreedIntoDestroyedAllocator(object: key, allocator: lifetime.serial))
                    return
                }
                let object = UnsafeMutableRawPointer(bitPattern: key).unsafelyUnwrapped
                MemAllocator.free(object, owner: MemAllocator.ownerCache(of: object), cpu: reclaimCPU)
                reclaimedUnits += 1
            }
        }
    }

    /// Decides whether `object` may be freed, and forgets it when it may. Returns its lifetime.
    func objectWillBeFreed(_ object: UnsafeMutableRawPointer) -> AllocatorLifetime? {
        locked {
            let key = UInt(bitPattern: object)
            guard let lifetime = live.removeValue(forKey: key) else {
                recorded.append(.freeOfUnknownObject(object: key))
                return nil
            }
            if lifetime.isDestroyed {
                recorded.append(.objectFreedIntoDestroyedAllocator(object: key, allocator: lifetime.serial))
                return nil
            }
            return lifetime
        }
    }

    /// The walk's header read, checked: the lifetime of a live object, or nil (and an event)
    /// for a freed one. Runs `body` under the lock so the object cannot be freed meanwhile.
    /// Under `rcu` a parked object's header is still intact: readable (the walk's read-side
    /// section is what keeps it parked), a reclaimed one's is not.
    func withLiveObject<R>(_ object: UnsafeMutableRawPointer, map: Int, _ body: (AllocatorLifetime) -> R) -> R? {
        locked {
            let key = UInt(bitPattern: object)
            guard let lifetime = live[key] ?? parked[key] else {
                recorded.append(.walkReadFreedObject(object: key, map: map))
                return nil
            }
            if lifetime.isDestroyed {
                recorded.append(.allocatorTouchedAfterDestroy(allocator: lifetime.serial, operation: "unload walk header read"))
                return nil
            }
            return body(lifetime)
        }
    }

    func liveCount(of lifetime: AllocatorLifetime) -> Int { locked { live.values.filter { $0 == lifetime }.count } }

    // MARK: AllocatorLifetimeObserver

    public func allocatorDestroyed(_ lifetime: AllocatorLifetime, report: DestroyReport) {
        if !ExecutionContext.maySleep {
            let context = ExecutionContext.current == .process ? "read-side section" : ExecutionContext.current.rawValue
            record(.destroyWhereSleepingIsForbidden(allocator: lifetime.serial, context: context))
        }
        if report.leakedObjects > 0 {
            record(.allocatorDestroyedWithLiveObjects(allocator: lifetime.serial, objects: report.leakedObjects))
        }
    }

    public func allocatorDestroyedTwice(_ lifetime: AllocatorLifetime) {
        record(.allocatorDestroyedTwice(allocator: lifetime.serial))
    }

    /// Under `rcu` a destroy first waits a grace period and reclaims every parked unit
    /// (`rcu_barrier`): readers that found the allocator through a header are gone, and no
    /// parked unit is counted as leaked. Not where sleeping is forbidden (a planted inline
    /// destroy): that one is recorded instead.
    public func serializingDestroy(_ destroy: () -> Void) {
        if reuse == .rcu && ExecutionContext.maySleep { reclaimParkedUnits(all: true) }
        locked(destroy)
    }

    func recordLeaksAtTeardown() {
        locked {
            var byAllocator: [Int: Int] = [:]
            for l in live.values { byAllocator[l.serial, default: 0] += 1 }
            for (a, n) in byAllocator.sorted(by: { $0.key < $1.key }) { recorded.append(.leakedAtTeardown(allocator: a, objects: n)) }
        }
    }
}
