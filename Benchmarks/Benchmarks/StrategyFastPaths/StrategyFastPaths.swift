import Benchmark
import FastPathThresholds
import MemAlloc
import Platform
import Strategies

// Single-thread fast paths of every lifetime strategy on a pinned thread: alloc+free pair while
// the owner lives and, where the strategy allows it, through a surviving reference after the
// kill; and percpu_ref get/put itself, live (per-CPU, no atomics) and after kill (atomic RMW).
//
// Benchmark names carry no spaces or slashes: package-benchmark 1.38.1 writes static thresholds
// as `<Target>.<name>.p90.json` with spaces and slashes replaced by `_`, but reads them back
// under the name as it is, so only such names round-trip through `thresholds update`/`check`.
//
// Threads: the closures run on whatever thread package-benchmark's async runner picks (a
// cooperative-pool thread, not the one that registered them). Each run pins that thread to
// `cpu` first, so the per-CPU caches and percpu_ref slots of `cpu` have one writer at a time.
// No thread here is a QSBR reader: the only grace periods (the kills) happen at registration,
// before any benchmark thread touches a slot, so nothing runs concurrently with a kill.
let benchmarks = {
    Benchmark.defaultConfiguration = FastPathThresholds.configuration
    let topology = Topology.current()
    let cpu = topology.cpus[0].id
    for kind in StrategyKind.allCases {
        try! kind.accept(StrategyBenchmarks(topology: topology, cpu: cpu))
    }
    PercpuRefBenchmarks.register(topology: topology, cpu: cpu)
}

/// Registers the benchmarks of one strategy, specialized for its type.
struct StrategyBenchmarks: StrategyVisitor {
    let topology: Topology
    let cpu: Int
    static let objectSize = 64

    func visit<S: LifetimeStrategy>(_: S.Type) throws {
        let cpu = self.cpu, size = Self.objectSize
        let live = try makeLifetime(S.self)
        Self.checkPair(S.self, live, cpu: cpu)
        Benchmark("\(S.name)_alloc+free_64B_live") { benchmark in
            try Pinning.pinCurrentThread(to: cpu)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let object = S.allocate(from: live, size: size, cpu: cpu).unsafelyUnwrapped
                blackHole(object)
                S.free(object, cpu: cpu)
            }
            benchmark.stopMeasurement()
        }
        // No allocation after the kill: no design allows it (the allocator map is gone). What
        // the kill changes is the put, measured alone by PercpuRefBenchmarks' after_kill case.
    }

    /// The allocator map's owner reference, and for an immortal strategy (global) also the
    /// world's, which only the model's teardown drops (BPFWorld does the same). Without it,
    /// releasing the map's reference would run `GlobalStrategy.ownerGone`, the process-end
    /// teardown, and the "after kill" loop would run on a destroyed allocator.
    private func makeLifetime<S: LifetimeStrategy>(_: S.Type) throws -> AllocatorLifetime {
        let allocator = try MemAllocator(topology: topology, path: S.allocatorPath(objectSize: Self.objectSize))
        let lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit,
                                              keepsTombstone: false, withPercpuRef: S.usesPercpuRef, observer: nil)
        if S.isImmortal { lifetime.acquireOwner() }  // the world's immortal reference
        lifetime.acquireOwner()  // the allocator map
        return lifetime
    }

    /// One checked pair before the benchmark is registered: the timed loop unwraps without a
    /// check, so a setup that cannot allocate must trap here, with a message, not there.
    private static func checkPair<S: LifetimeStrategy>(_: S.Type, _ lifetime: AllocatorLifetime, cpu: Int) {
        guard let object = S.allocate(from: lifetime, size: objectSize, cpu: cpu) else { fatalError("\(S.name): no \(objectSize)-byte object") }
        S.free(object, cpu: cpu)
        precondition(!lifetime.isDestroyed, "\(S.name): one alloc+free pair destroyed the allocator")
    }
}

/// percpu_ref get/put alone: the per-CPU counter before the kill, the shared atomic after.
enum PercpuRefBenchmarks {
    static func register(topology: Topology, cpu: Int) {
        for afterKill in [false, true] {
            let allocator = try! MemAllocator(topology: topology)
            let lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit,
                                                  keepsTombstone: false, withPercpuRef: true, observer: nil)
            let ref = lifetime.percpuRef
            // An extra reference held throughout: a put never reaches zero and releases.
            ref.get(cpu: cpu)
            if afterKill {
                ref.kill()
                precondition(ref.isAtomic && ref.isFolded && ref.releaseCount == 0)
            }
            Benchmark("percpu-ref_get+put_\(afterKill ? "after_kill" : "live")") { benchmark in
                try Pinning.pinCurrentThread(to: cpu)
                benchmark.startMeasurement()
                // get then put on the same word: per-CPU `incq`/`decq` (live) or `lock inc`/
                // `lock xadd` (after kill); checked in the disassembly, the loop is not elided.
                for _ in benchmark.scaledIterations {
                    ref.get(cpu: cpu)
                    ref.put(cpu: cpu)
                }
                blackHole(ref)
                benchmark.stopMeasurement()
            }
        }
    }
}
