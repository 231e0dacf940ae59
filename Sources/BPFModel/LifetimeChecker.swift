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

        public var isUseAfterFree: Bool {
            switch self {
            case .objectFreedIntoDestroyedAllocator, .allocatorTouchedAfterDestroy, .walkReadFreedObject,
                 .allocatorDestroyedTwice, .freeOfUnknownObject:
                return true
            case .allocatorDestroyedWithLiveObjects, .leakedAtTeardown:
                return false
            }
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
            }
        }
    }

    private var lock = pthread_mutex_t()
    private var live: [UInt: AllocatorLifetime] = [:]
    private var recorded: [Event] = []

    public init() {
        // Recursive: a checked free runs the strategy's free under the lock, and that free may
        // be the one that destroys the allocator (which takes the lock again to serialize).
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&lock, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }
    deinit { pthread_mutex_destroy(&lock) }

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
    func withLiveObject<R>(_ object: UnsafeMutableRawPointer, map: Int, _ body: (AllocatorLifetime) -> R) -> R? {
        locked {
            let key = UInt(bitPattern: object)
            guard let lifetime = live[key] else {
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
        if report.leakedObjects > 0 {
            record(.allocatorDestroyedWithLiveObjects(allocator: lifetime.serial, objects: report.leakedObjects))
        }
    }

    public func allocatorDestroyedTwice(_ lifetime: AllocatorLifetime) {
        record(.allocatorDestroyedTwice(allocator: lifetime.serial))
    }

    public func serializingDestroy(_ destroy: () -> Void) { locked(destroy) }

    func recordLeaksAtTeardown() {
        locked {
            var byAllocator: [Int: Int] = [:]
            for l in live.values { byAllocator[l.serial, default: 0] += 1 }
            for (a, n) in byAllocator.sorted(by: { $0.key < $1.key }) { recorded.append(.leakedAtTeardown(allocator: a, objects: n)) }
        }
    }
}
