import Atomics

/// A userspace `struct percpu_ref`, faithful to the kernel's lib/percpu-refcount.c.
///
/// - Percpu mode: `get`/`put` add to the calling CPU's own padded slot with a relaxed load and
///   a relaxed store — no RMW — after a relaxed check of the ATOMIC flag. Each slot has one
///   writer (the worker pinned to that CPU), so the load+store cannot lose an update. The
///   caller is inside a QSBR read side (an online registered thread between quiescent states),
///   which is what makes the flag check + slot write one indivisible step for the kill.
/// - `kill`: set DEAD and ATOMIC, take the switch's own reference, drop the initial one, wait a
///   real liburcu grace period, then fold the per-CPU sums into the shared count minus
///   `bias`, and drop the switch reference. Queued (`.queued`), the caller only sets the flags,
///   drops the base reference and pushes the ref's own preallocated record onto
///   `PercpuRefSwitchQueue`, as `call_rcu_hurry` queues the ref's embedded rcu_head; whoever
///   serves the queue waits the grace period and folds. From the moment ATOMIC is visible every get/put is
///   an RMW on the one shared count.
/// - Release runs exactly once, when the count reaches zero.
///
/// A trivially copyable handle (one pointer): no retain/release on the hot path.
@frozen
public struct PercpuRef: Hashable {
    /// Called once when the count reaches zero, with the context given at init.
    public typealias Release = @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// `PERCPU_COUNT_BIAS = 1 << (BITS_PER_LONG - 1)` (lib/percpu-refcount.c): added to the
    /// shared count while per-CPU slots may hold references, so it cannot reach zero before the
    /// fold. Arithmetic wraps, as the kernel's unsigned long does.
    public static let bias = Int.min
    /// `__PERCPU_REF_ATOMIC`: gets and puts go to the shared count.
    public static let atomicFlag = 1
    /// `__PERCPU_REF_DEAD`: killed; `tryget_live` fails.
    public static let deadFlag = 2

    // Word indices in the padded block: control words first, then one slot per CPU id.
    @usableFromInline static let flagsWord = 0
    @usableFromInline static let countWord = 1
    @usableFromInline static let releasesWord = 2
    @usableFromInline static let foldedWord = 3
    /// The queued switch's link (`PercpuRefSwitchQueue`): the record lives in the ref, so a kill
    /// allocates nothing, like the rcu_head inside the kernel's percpu_ref_data.
    @usableFromInline static let switchLinkWord = 4
    @usableFromInline static let firstSlotWord = 5

    /// The padded words: flags, count, releases, folded, then one slot per CPU id. The flags
    /// line also holds the `Header` pointer (read-mostly, like the flags), so a handle is one
    /// pointer and a free that reaches the words reaches everything.
    public let words: UnsafeMutableRawPointer
    @usableFromInline static let headerOffset = 8

    @inlinable @inline(__always)
    var header: UnsafeMutablePointer<Header> {
        (words + PercpuRef.headerOffset).load(as: UnsafeMutablePointer<Header>.self)
    }

    /// The ref whose words are `words` (e.g. as found through an allocator's cache descriptor).
    @inlinable @inline(__always)
    public init(words: UnsafeMutableRawPointer) { self.words = words }

    @usableFromInline
    struct Header {
        var cpuIDLimit: Int
        var release: Release
        var context: UnsafeMutableRawPointer?
    }

    /// `percpu_ref_init(ref, release, 0, ...)`: percpu mode, count 1 (the initial reference)
    /// held in the shared count together with the bias.
    public init(cpuIDLimit: Int, release: Release, context: UnsafeMutableRawPointer?) {
        precondition(cpuIDLimit > 0)
        words = PaddedAtomicStorage.allocate(count: PercpuRef.firstSlotWord + cpuIDLimit)
        let header = UnsafeMutablePointer<Header>.allocate(capacity: 1)
        header.initialize(to: Header(cpuIDLimit: cpuIDLimit, release: release, context: context))
        (words + PercpuRef.headerOffset).storeBytes(of: header, as: UnsafeMutablePointer<Header>.self)
        count.store(1 &+ PercpuRef.bias, ordering: .relaxed)
    }

    /// `percpu_ref_exit`: frees the storage. The ref must not be used afterwards.
    public func deallocate() {
        let header = self.header
        PaddedAtomicStorage.deallocate(words)
        header.deinitialize(count: 1)
        header.deallocate()
    }

    @inlinable @inline(__always)
    var flags: UnsafeAtomic<Int> { PaddedAtomicStorage.word(words, PercpuRef.flagsWord) }
    @inlinable @inline(__always)
    var count: UnsafeAtomic<Int> { PaddedAtomicStorage.word(words, PercpuRef.countWord) }
    @inlinable @inline(__always)
    func slot(_ cpu: Int) -> UnsafeAtomic<Int> { PaddedAtomicStorage.word(words, PercpuRef.firstSlotWord &+ cpu) }

    // MARK: Hot paths

    /// `percpu_ref_get`. Caller: online QSBR reader running on `cpu`.
    @inlinable @inline(__always)
    public func get(cpu: Int) {
        if _fastPath(flags.load(ordering: .relaxed) & PercpuRef.atomicFlag == 0) {
            let s = slot(cpu)
            s.store(s.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        } else {
            count.wrappingIncrement(ordering: .relaxed)
        }
    }

    /// `percpu_ref_put`: may run the release, exactly once, when the count reaches zero.
    @inlinable @inline(__always)
    public func put(cpu: Int) {
        if _fastPath(flags.load(ordering: .relaxed) & PercpuRef.atomicFlag == 0) {
            let s = slot(cpu)
            s.store(s.load(ordering: .relaxed) &- 1, ordering: .relaxed)
        } else {
            putAtomic()
        }
    }

    /// `percpu_ref_tryget`: succeeds in percpu mode; in atomic mode, `inc_not_zero` (a
    /// cmpxchg loop), so it still succeeds after the kill while references remain.
    @inlinable @inline(__always)
    public func tryget(cpu: Int) -> Bool {
        if _fastPath(flags.load(ordering: .relaxed) & PercpuRef.atomicFlag == 0) {
            let s = slot(cpu)
            s.store(s.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            return true
        }
        return incrementNotZero()
    }

    /// `percpu_ref_tryget_live`: fails once DEAD is set.
    @inlinable @inline(__always)
    public func trygetLive(cpu: Int) -> Bool {
        let f = flags.load(ordering: .relaxed)
        if _fastPath(f & PercpuRef.atomicFlag == 0) {
            let s = slot(cpu)
            s.store(s.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            return true
        }
        if f & PercpuRef.deadFlag != 0 { return false }
        return incrementNotZero()
    }

    @usableFromInline @inline(never)
    func putAtomic() {
        // acq_rel: the releasing put publishes this thread's frees to whoever destroys.
        if count.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing) == 0 { runRelease() }
    }

    @usableFromInline @inline(never)
    func incrementNotZero() -> Bool {
        var c = count.load(ordering: .relaxed)
        while c != 0 {
            let (done, now) = count.weakCompareExchange(expected: c, desired: c &+ 1, ordering: .relaxed)
            if done { return true }
            c = now
        }
        return false
    }

    private func runRelease() {
        let previous = PaddedAtomicStorage.word(words, PercpuRef.releasesWord)
            .loadThenWrappingIncrement(ordering: .acquiringAndReleasing)
        precondition(previous == 0, "percpu_ref released twice")
        header.pointee.release(header.pointee.context)
    }

    // MARK: Kill

    /// How the kill waits for its grace period.
    public enum GracePeriod: Sendable {
        /// `synchronize_rcu` on the calling thread: the fold is done when `kill` returns.
        case synchronize
        /// The kernel's way (`call_rcu_hurry`): the switch is queued on `PercpuRefSwitchQueue`
        /// and the kill returns; `PercpuRefSwitchQueue.serve()` waits the grace period and folds.
        case queued
    }

    /// What one kill cost its caller, in nanoseconds.
    public struct KillTiming: Equatable, Sendable {
        /// From the call to the fold (synchronize), or to the switch being queued (queued).
        public var totalNanoseconds: Int
        /// The grace period alone (synchronize only; 0 when queued).
        public var gracePeriodNanoseconds: Int
    }

    /// `percpu_ref_kill`: DEAD + ATOMIC now, the initial reference dropped, and after a grace
    /// period the per-CPU sums folded into the shared count. Killing twice is a bug (the kernel
    /// warns); here it traps. Callable from any thread, registered or not.
    @discardableResult
    public func kill(gracePeriod: GracePeriod = .synchronize) -> KillTiming {
        let start = MonotonicClock.nanoseconds()
        let old = flags.loadThenBitwiseOr(with: PercpuRef.deadFlag | PercpuRef.atomicFlag, ordering: .sequentiallyConsistent)
        precondition(old & PercpuRef.deadFlag == 0, "percpu_ref_kill called more than once")
        // __percpu_ref_switch_to_atomic: hold a reference until the switch is confirmed.
        count.wrappingIncrement(ordering: .relaxed)
        // The initial reference. Cannot reach zero: the bias is still in the count.
        putAtomic()
        switch gracePeriod {
        case .synchronize:
            let gpStart = MonotonicClock.nanoseconds()
            QSBR.synchronize()
            let gp = MonotonicClock.nanoseconds() - gpStart
            foldPercpuCounts()
            return KillTiming(totalNanoseconds: MonotonicClock.nanoseconds() - start, gracePeriodNanoseconds: gp)
        case .queued:
            PercpuRefSwitchQueue.push(self)
            return KillTiming(totalNanoseconds: MonotonicClock.nanoseconds() - start, gracePeriodNanoseconds: 0)
        }
    }

    @inlinable
    var switchLink: UnsafeAtomic<Int> { PaddedAtomicStorage.word(words, PercpuRef.switchLinkWord) }

    /// `percpu_ref_switch_to_atomic_rcu`: after the grace period no CPU can still be adding
    /// to its slot, so the slots' sum plus the shared count minus the bias is the exact count.
    /// Then the switch's reference is dropped, which may release.
    func foldPercpuCounts() {
        var sum = 0
        for cpu in 0..<header.pointee.cpuIDLimit { sum = sum &+ slot(cpu).load(ordering: .relaxed) }
        count.wrappingIncrement(by: sum &- PercpuRef.bias, ordering: .relaxed)
        PaddedAtomicStorage.word(words, PercpuRef.foldedWord).store(1, ordering: .releasing)
        putAtomic()
    }

    // MARK: Observation (tests, reports)

    public var isAtomic: Bool { flags.load(ordering: .acquiring) & PercpuRef.atomicFlag != 0 }
    public var isDead: Bool { flags.load(ordering: .acquiring) & PercpuRef.deadFlag != 0 }
    /// Times the release ran (must end at exactly 1 or 0).
    public var releaseCount: Int { PaddedAtomicStorage.word(words, PercpuRef.releasesWord).load(ordering: .acquiring) }
    /// The shared count as stored (includes the bias until the fold).
    public var sharedCount: Int { count.load(ordering: .acquiring) }
    /// The sum of the per-CPU slots. Exact only while no CPU is writing.
    public var percpuSum: Int {
        (0..<header.pointee.cpuIDLimit).reduce(0) { $0 &+ slot($1).load(ordering: .relaxed) }
    }
    /// Whether the per-CPU sums have been folded into the shared count (switch confirmed).
    public var isFolded: Bool { PaddedAtomicStorage.word(words, PercpuRef.foldedWord).load(ordering: .acquiring) != 0 }
    /// The logical count: exact when no CPU is writing, in either mode, before or after the
    /// fold (before it, the bias sits in the shared count and the slots are live).
    public var quiescentCount: Int {
        isFolded ? sharedCount : sharedCount &- PercpuRef.bias &+ percpuSum
    }
}
