import Atomics
import Glibc
import Platform
import Testing

@Suite struct SpinBarrierTests {
    /// A party that never arrives (a worker thread that could not be created) must not leave
    /// the others spinning forever: cancel releases them.
    @Test(.timeLimit(.minutes(1))) func cancelReleasesAWaiterWhoseOtherPartyNeverArrives() throws {
        let barrier = SpinBarrier(parties: 2)
        let released = ManagedAtomic<Bool>(false)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Waiter(barrier: barrier, released: released)).toOpaque()
        #expect(pthread_create(&thread, nil, { raw in
            let w = Unmanaged<Waiter>.fromOpaque(raw!).takeRetainedValue()
            w.barrier.wait()
            w.released.store(true, ordering: .releasing)
            return nil
        }, box) == 0)
        var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
        nanosleep(&ts, nil)
        let early = released.load(ordering: .acquiring)
        #expect(!early, "the barrier let one of two parties through")
        barrier.cancel()
        pthread_join(thread, nil)
        let late = released.load(ordering: .acquiring)
        #expect(late)
    }

    final class Waiter {
        let barrier: SpinBarrier
        let released: ManagedAtomic<Bool>
        init(barrier: SpinBarrier, released: ManagedAtomic<Bool>) {
            self.barrier = barrier
            self.released = released
        }
    }
}
