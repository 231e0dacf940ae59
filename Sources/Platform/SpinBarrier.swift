import Atomics
import Glibc

/// A sense-reversing spin barrier for pinned workers, one per CPU (the model's runner and the
/// kernel subjects). Spinning (with `pause`) keeps phase switches in the microseconds; every
/// 4096 spins it yields, because a coordinator or a liburcu thread may share a worker's CPU.
public final class SpinBarrier: @unchecked Sendable {
    private let parties: Int
    private let arrived = ManagedAtomic<Int>(0)
    private let generation = ManagedAtomic<Int>(0)
    private let cancelled = ManagedAtomic<Bool>(false)

    public init(parties: Int) { self.parties = parties }

    /// Releases every waiter, now and later (a party that will never arrive, e.g. a worker
    /// thread that could not be created). Waiters should then check why and stop.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    public func wait() {
        let gen = generation.load(ordering: .acquiring)
        if arrived.wrappingIncrementThenLoad(ordering: .acquiringAndReleasing) == parties {
            arrived.store(0, ordering: .relaxed)
            generation.wrappingIncrement(ordering: .releasing)
            return
        }
        var spins = 0
        while generation.load(ordering: .acquiring) == gen && !cancelled.load(ordering: .relaxed) {
            TimeStampCounter.relax()
            spins += 1
            // The coordinator shares CPUs with workers on small machines: let it run.
            if spins & 0xFFF == 0 { sched_yield() }
        }
    }
}
