import Glibc
import Strategies

/// A mutex for script-level serialization. A QSBR reader waits for it offline, so a grace
/// period the holder waits for cannot deadlock against the waiter.
final class ScenarioLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        QSBR.whileOffline { _ = pthread_mutex_lock(&mutex) }
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
