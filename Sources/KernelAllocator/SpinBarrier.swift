import Atomics

/// A reusable barrier for a fixed number of pinned workers, one per CPU, so spinning never
/// steals a waiting worker's CPU. Lock-step rounds of the remote workload use it.
final class SpinBarrier: @unchecked Sendable {
    private let parties: Int
    private let arrived = ManagedAtomic<Int>(0)
    private let generation = ManagedAtomic<Int>(0)

    init(parties: Int) { self.parties = parties }

    func wait() {
        let g = generation.load(ordering: .acquiring)
        if arrived.wrappingIncrementThenLoad(ordering: .acquiringAndReleasing) == parties {
            arrived.store(0, ordering: .relaxed)
            generation.wrappingIncrement(ordering: .releasing)
            return
        }
        while generation.load(ordering: .acquiring) == g {}
    }
}
