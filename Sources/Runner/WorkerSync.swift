import Atomics
import Glibc
import Platform

/// A sense-reversing spin barrier for the pinned workers and the coordinator. Spinning (with
/// `pause`) keeps phase switches in the microseconds; workers are pinned one per CPU anyway.
final class SpinBarrier: @unchecked Sendable {
    private let parties: Int
    private let arrived = ManagedAtomic<Int>(0)
    private let generation = ManagedAtomic<Int>(0)

    init(parties: Int) { self.parties = parties }

    func wait() {
        let gen = generation.load(ordering: .acquiring)
        if arrived.wrappingIncrementThenLoad(ordering: .acquiringAndReleasing) == parties {
            arrived.store(0, ordering: .relaxed)
            generation.wrappingIncrement(ordering: .releasing)
            return
        }
        var spins = 0
        while generation.load(ordering: .acquiring) == gen {
            TimeStampCounter.relax()
            spins += 1
            // The coordinator shares CPUs with workers on small machines: let it run.
            if spins & 0xFFF == 0 { sched_yield() }
        }
    }
}

/// A flag set by one thread and polled by others between batches.
final class StopFlag: @unchecked Sendable {
    private let value = ManagedAtomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    func clear() { value.store(false, ordering: .releasing) }
    @inline(__always) var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A one-shot event the coordinator sleeps on (mutex + condition variable): it costs the
/// workers' CPUs nothing while they measure, unlike a timed poll.
final class PhaseSignal: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var fired = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    func signal() {
        pthread_mutex_lock(&mutex)
        fired = true
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    func wait() {
        pthread_mutex_lock(&mutex)
        while !fired { pthread_cond_wait(&condition, &mutex) }
        pthread_mutex_unlock(&mutex)
    }
}
