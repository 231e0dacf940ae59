import Atomics
import Glibc
import MemAlloc

/// Told about the events that end an allocator's life (the model's checker listens here).
/// Called on whatever thread destroys: keep implementations thread-safe.
public protocol AllocatorLifetimeObserver: AnyObject {
    func allocatorDestroyed(_ lifetime: AllocatorLifetime, report: DestroyReport)
    /// A second destroy was attempted; it was refused, nothing was touched.
    func allocatorDestroyedTwice(_ lifetime: AllocatorLifetime)
    /// Runs the destroy (and the `allocatorDestroyed` call) so that the observer's own checks,
    /// e.g. "is this object's allocator destroyed?" before a free, cannot interleave with it.
    func serializingDestroy(_ destroy: () -> Void)
}

extension AllocatorLifetimeObserver {
    public func serializingDestroy(_ destroy: () -> Void) { destroy() }
}

/// Everything that keeps one allocator alive, whatever the strategy: the counts each strategy
/// uses, the owner references (the allocator map's and `used_allocators`' `refcount_t`), and the
/// once-only destroy. Its address sits in `AllocatorState.context`, so a free through the
/// object header reaches the strategy's refcount with no other argument.
///
/// The record outlives the allocator it describes (the model frees it at teardown), so
/// "is it destroyed?" and `tryget` on a released count never read freed memory.
/// A trivially copyable handle (one pointer).
@frozen
public struct AllocatorLifetime: Hashable, CustomStringConvertible {
    public let storage: UnsafeMutablePointer<Storage>

    public struct Storage {
        public let allocator: MemAllocator
        public let serial: Int
        /// percpu-ref and hybrid: the per-object reference.
        @usableFromInline let percpu: PercpuRef?
        /// Padded atomic words: see the word indices below.
        @usableFromInline let words: UnsafeMutableRawPointer
        /// Written once by the destroyer, after it won `destroyCount` (read it after synchronizing with the destroyer).
        var destroyReport: DestroyReport?
        var observer: AllocatorLifetimeObserver?
        /// What the strategy did when the last owner reference went (set by `ownerGone`).
        var ownerGoneReport: KillReport?
        /// Copied at creation: the allocator's own state may be gone when this is read.
        let keepsTombstone: Bool
        /// How a percpu_ref kill waits for its grace period: `.synchronize` (the scenarios:
        /// the switch is done when the kill returns) or `.queued` (the kernel's way: the runner).
        var killGracePeriod: PercpuRef.GracePeriod = .synchronize
        /// How long the destroy took, and which thread ran it (set by the destroyer).
        var destroyNanoseconds = 0
        var destroyThread: pthread_t? = nil
        /// A planted bug for the checked model's negative controls: the destroy runs where it is
        /// asked for, even where sleeping is forbidden (see `destroyAllocator`).
        var destroysInlineInAnyContext = false
    }

    /// atomic: base reference + one per object (the "naive version" of the thread).
    @usableFromInline static let objectRefsWord = 0
    /// `refcount_t` of owners: the allocator map holds one, each `used_allocators` entry one.
    @usableFromInline static let ownerRefsWord = 1
    @usableFromInline static let destroyCountWord = 2
    static let wordCount = 3

    @inlinable
    public init(storage: UnsafeMutablePointer<Storage>) { self.storage = storage }

    /// The lifetime of the allocator that owns `object`, through its header.
    @inlinable @inline(__always)
    public init(owning object: UnsafeMutableRawPointer) { self.init(ownerCache: MemAllocator.ownerCache(of: object)) }

    /// The lifetime of the allocator that `cache` belongs to, from the cache's descriptor.
    @inlinable @inline(__always)
    public init(ownerCache cache: UnsafeMutablePointer<PerCPUCache>) {
        storage = MemAllocator.lifetimeContext(of: cache).assumingMemoryBound(to: Storage.self)
    }

    /// Wraps a new allocator. `withPercpuRef` gives it a percpu_ref whose release destroys it.
    /// The owner count starts at 0: whoever owns it (the allocator map) calls `acquireOwner`.
    /// - Parameters:
    ///   - cpuIDLimit: the topology's CPU id limit the allocator was built for (percpu slots).
    ///   - keepsTombstone: whether the allocator was built with `keepTombstone: true`.
    public static func make(allocator: MemAllocator, cpuIDLimit: Int, keepsTombstone: Bool, withPercpuRef: Bool,
                            observer: AllocatorLifetimeObserver?) -> AllocatorLifetime {
        let storage = UnsafeMutablePointer<Storage>.allocate(capacity: 1)
        let percpu: PercpuRef? = withPercpuRef ? PercpuRef(
            cpuIDLimit: cpuIDLimit,
            release: { raw in AllocatorLifetime(storage: raw!.assumingMemoryBound(to: Storage.self)).destroyAllocator() },
            context: UnsafeMutableRawPointer(storage)) : nil
        let words = PaddedAtomicStorage.allocate(count: wordCount)
        storage.initialize(to: Storage(allocator: allocator, serial: allocator.serial, percpu: percpu, words: words,
                                       destroyReport: nil, observer: observer, ownerGoneReport: nil,
                                       keepsTombstone: keepsTombstone))
        // Each cache descriptor gets the record and the words its strategy counts in: a free
        // reaches them in one load from the object's owner cache.
        allocator.attachLifetime(context: UnsafeMutableRawPointer(storage), words: percpu?.words ?? words)
        let lifetime = AllocatorLifetime(storage: storage)
        lifetime.objectRefs.store(1, ordering: .relaxed)  // the base reference (atomic strategy)
        return lifetime
    }

    @inlinable public var allocator: MemAllocator { storage.pointee.allocator }
    /// The words the strategy's per-object accounting touches (see `attachLifetime`).
    @inlinable public var hotWords: UnsafeMutableRawPointer { storage.pointee.percpu?.words ?? storage.pointee.words }
    /// One of the allocator's caches (every cache's descriptor names this lifetime).
    @inlinable public var anyCache: UnsafeMutablePointer<PerCPUCache> { allocator.firstCache }
    public var serial: Int { storage.pointee.serial }
    @inlinable public var percpuRef: PercpuRef { storage.pointee.percpu.unsafelyUnwrapped }
    public var hasPercpuRef: Bool { storage.pointee.percpu != nil }

    @inlinable @inline(__always)
    public var objectRefs: UnsafeAtomic<Int> { PaddedAtomicStorage.word(storage.pointee.words, AllocatorLifetime.objectRefsWord) }
    @inlinable @inline(__always)
    var ownerRefs: UnsafeAtomic<Int> { PaddedAtomicStorage.word(storage.pointee.words, AllocatorLifetime.ownerRefsWord) }
    @inlinable @inline(__always)
    var destroyCountWord: UnsafeAtomic<Int> { PaddedAtomicStorage.word(storage.pointee.words, AllocatorLifetime.destroyCountWord) }

    // MARK: Owners (control plane)

    /// `refcount_inc` by a new owner (allocator map, a map's `used_allocators` entry).
    public func acquireOwner() { ownerRefs.wrappingIncrement(ordering: .relaxed) }

    /// `refcount_inc_not_zero`: a new owner only while some owner still holds the allocator (an
    /// RCU reader that found it through a header cannot know otherwise). False once the count
    /// reached zero: the kill already ran or is running.
    public func tryAcquireOwner() -> Bool {
        var c = ownerRefs.load(ordering: .relaxed)
        while c != 0 {
            let (done, now) = ownerRefs.weakCompareExchange(expected: c, desired: c &+ 1, ordering: .acquiringAndReleasing)
            if done { return true }
            c = now
        }
        return false
    }

    /// `refcount_dec`: the last owner going runs the strategy's kill. Returns its report then.
    @discardableResult
    public func releaseOwner<S: LifetimeStrategy>(_: S.Type) -> KillReport? {
        let left = ownerRefs.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing)
        precondition(left >= 0, "allocator \(serial): owner reference dropped below zero")
        guard left == 0 else { return nil }
        let report = S.ownerGone(self)
        storage.pointee.ownerGoneReport = report
        return report
    }

    /// Owner references held now.
    public var owners: Int { ownerRefs.load(ordering: .acquiring) }
    /// Set once the last owner went (the kill happened).
    public var ownerGoneReport: KillReport? { storage.pointee.ownerGoneReport }

    // MARK: Destroy, exactly once

    /// Destroys the allocator unless it already was; a second call is refused and reported to
    /// the observer (the model's "destroyed twice" event) without touching the allocator.
    public func destroyAllocator() {
        // A destroy sleeps (it waits for RCU callbacks, takes locks): asked for inside a BPF
        // program, an NMI or a read-side section (a release at the last put), it is deferred to
        // where sleeping is allowed, as the kernel's release would queue irq_work/work.
        if !storage.pointee.destroysInlineInAnyContext && !ExecutionContext.maySleep {
            let me = self
            ExecutionContext.deferUntilMaySleep { me.destroyAllocator() }
            return
        }
        // The whole decision runs inside the observer's serialization: a checker that asks
        // "destroyed?" before a free sees the count and the destroy change together.
        let destroy = {
            let previous = self.destroyCountWord.loadThenWrappingIncrement(ordering: .acquiringAndReleasing)
            if previous != 0 {
                self.storage.pointee.observer?.allocatorDestroyedTwice(self)
                return
            }
            let start = MonotonicClock.nanoseconds()
            let report = self.storage.pointee.allocator.destroy()
            self.storage.pointee.destroyNanoseconds = MonotonicClock.nanoseconds() - start
            self.storage.pointee.destroyThread = pthread_self()
            self.storage.pointee.destroyReport = report
            self.storage.pointee.observer?.allocatorDestroyed(self, report: report)
        }
        if let observer = storage.pointee.observer { observer.serializingDestroy(destroy) } else { destroy() }
    }

    /// Planted bug (negative controls only): destroy inline even where sleeping is forbidden.
    public var destroysInlineInAnyContext: Bool {
        get { storage.pointee.destroysInlineInAnyContext }
        nonmutating set { storage.pointee.destroysInlineInAnyContext = newValue }
    }

    /// How a percpu_ref kill of this allocator waits for its grace period (set before the kill).
    public var killGracePeriod: PercpuRef.GracePeriod {
        get { storage.pointee.killGracePeriod }
        nonmutating set { storage.pointee.killGracePeriod = newValue }
    }

    /// How long the destroy took, if the calling thread ran it (read after synchronizing with
    /// the destroyer): the runner takes it out of the phase it happened in.
    public var destroyNanosecondsIfDestroyedByCallingThread: Int? {
        guard isDestroyed, let t = storage.pointee.destroyThread, pthread_equal(t, pthread_self()) != 0 else { return nil }
        return storage.pointee.destroyNanoseconds
    }
    /// How long the destroy took (0 before it).
    public var destroyNanoseconds: Int { isDestroyed ? storage.pointee.destroyNanoseconds : 0 }

    /// Destroys attempted (must end at exactly 1).
    public var destroyCount: Int { destroyCountWord.load(ordering: .acquiring) }
    public var isDestroyed: Bool { destroyCount > 0 }
    /// What the destroy found. Read after the destroying thread is joined/synchronized.
    public var destroyReport: DestroyReport? { isDestroyed ? storage.pointee.destroyReport : nil }

    /// Frees the record itself, and the allocator's tombstone if it kept one. An allocator not
    /// destroyed by its strategy is destroyed here first (teardown of a leaking case), without
    /// counting as the strategy's destroy. Returns that teardown report, if any.
    @discardableResult
    public func deallocate() -> DestroyReport? {
        var teardown: DestroyReport? = nil
        let allocator = storage.pointee.allocator
        if !isDestroyed {
            teardown = allocator.destroy()
            if storage.pointee.keepsTombstone { allocator.releaseTombstone() }
        } else if storage.pointee.keepsTombstone {
            allocator.releaseTombstone()
        }
        storage.pointee.percpu?.deallocate()
        PaddedAtomicStorage.deallocate(storage.pointee.words)
        storage.deinitialize(count: 1)
        storage.deallocate()
        return teardown
    }

    public var description: String { "allocator #\(serial)" }
}
