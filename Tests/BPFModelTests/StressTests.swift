import Atomics
import BPFModel
import Glibc
import MemAlloc
import Platform
import Strategies
import Testing

/// Runs `body(index)` on `count` plain threads and joins them.
func runThreads(_ count: Int, _ body: @escaping (Int) -> Void) {
    final class Job { let run: () -> Void; init(_ r: @escaping () -> Void) { run = r } }
    var threads: [pthread_t] = []
    for i in 0..<count {
        var t = pthread_t()
        let job = Unmanaged.passRetained(Job { body(i) }).toOpaque()
        precondition(pthread_create(&t, nil, { raw in
            Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, job) == 0)
        threads.append(t)
    }
    for t in threads { pthread_join(t, nil) }
}

/// Randomized alloc / kptr_xchg / free by two workers with a kill in the middle, per strategy.
/// Counting strategies without an unload walk (atomic, percpu-ref) are killed while the workers
/// run (allocating through tryget). The others are killed with the workers paused: their
/// unload walk races a concurrent kptr_xchg + free (Kumar's hole 1, a use-after-free the
/// checker reports — HazardScenarioTests and `bench scenarios` replay it on purpose), which
/// this test is not about. Ends with exactly one clean destroy and no checker event.
@Suite(.tags(.concurrent, .memory)) struct StressTests {
    @Test(arguments: StrategyKind.allCases)
    func allocXchgFreeKill(kind: StrategyKind) throws {
        try kind.accept(ForEachStrategy(body: StressBody()))
    }
}

/// One strategy's stress run, unchecked then checked.
struct StressBody: LifetimeCaseTestBody {
    func run<S: LifetimeStrategy>(_: S.Type) throws {
        for checked in [false, true] {
            try once(S.self, checked: checked)
        }
    }

    func once<S: LifetimeStrategy>(_: S.Type, checked: Bool) throws {
        let slots = 32
        let iterations = 20_000
        let c = try LifetimeCase<S>(topology: .synthetic(cpus: 2, nodes: 1), objectSize: 48, mapSlots: slots,
                                    checked: checked)
        let killed = ManagedAtomic<Bool>(false)
        let paused = ManagedAtomic<Int>(0)
        let resume = ManagedAtomic<Bool>(false)
        let stocked = ManagedAtomic<Int>(0)
        let concurrentKill = S.countsObjects && !S.collectsUsedAllocators
        runThreads(3) { index in
            if index == 2 {  // coordinator
                if concurrentKill {
                    // Only once both workers hold their objects: a kill before that
                    // finds no object, destroys, and a worker then allocates from the
                    // destroyed allocator (ASan saw it in CI, with the 2 CPUs loaded).
                    while stocked.load(ordering: .acquiring) < 2 { sched_yield() }
                    usleep(1_000)
                } else {
                    while paused.load(ordering: .acquiring) < 2 { sched_yield() }
                }
                c.kill()
                killed.store(true, ordering: .releasing)
                resume.store(true, ordering: .releasing)
                return
            }
            let cpu = index
            c.workerOnline(cpu: cpu)
            var rng = SystemRandomNumberGenerator()
            var held: [UnsafeMutableRawPointer] = []
            // With a concurrent kill nothing may allocate once it starts: each worker
            // takes its objects first, then exchanges and frees them across the kill.
            if concurrentKill {
                for _ in 0..<iterations / 8 { if let o = c.allocate(size: 48, cpu: cpu) { held.append(o) } }
                stocked.wrappingIncrement(ordering: .releasing)
            }
            for i in 0..<iterations {
                if !concurrentKill && i == iterations / 2 {
                    // The program stops; its objects are stored or freed before unload.
                    for o in held { if let old = c.exchange(slot: Int.random(in: 0..<slots, using: &rng), with: o, cpu: cpu) { c.free(old, cpu: cpu) } }
                    held.removeAll()
                    c.workerPause(cpu: cpu)
                    paused.wrappingIncrement(ordering: .releasing)
                    while !resume.load(ordering: .acquiring) { sched_yield() }
                    c.workerResume(cpu: cpu)
                }
                let afterKill = killed.load(ordering: .acquiring)
                switch UInt8.random(in: 0..<4, using: &rng) {
                case 0, 1:
                    // Nothing can allocate once the allocator map is gone; with a
                    // concurrent kill the workers only exchange and free what exists.
                    if afterKill || concurrentKill {
                        if let o = held.popLast() { c.free(o, cpu: cpu) }
                    } else if let o = c.allocate(size: 48, cpu: cpu) {
                        held.append(o)
                    }
                case 2:
                    let slot = Int.random(in: 0..<slots, using: &rng)
                    let mine = (afterKill && !concurrentKill) ? nil : held.popLast()
                    if let old = c.exchange(slot: slot, with: mine, cpu: cpu) { c.free(old, cpu: cpu) }
                default:
                    if let o = held.popLast() { c.free(o, cpu: cpu) }
                }
                if i & 63 == 0 { c.quiescent(cpu: cpu) }
            }
            for o in held { c.free(o, cpu: cpu) }
            c.workerOffline(cpu: cpu)
        }
        let report = c.closeMaps(cpu: 0)
        #expect(c.destroyCount == 1, "\(S.name) checked=\(checked)")
        #expect(report?.isClean == true, "\(S.name): \(String(describing: report))")
        if let checker = c.checker { #expect(checker.events == [], "\(S.name)") }
    }
}
