import Atomics
import Glibc
import Platform
import Results

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
