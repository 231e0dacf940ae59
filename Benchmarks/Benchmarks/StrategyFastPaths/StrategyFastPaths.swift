import Benchmark
import MemAlloc
import Platform
import Strategies

// Single-thread fast paths of every lifetime strategy on a pinned thread: alloc+free pair while
// the owner lives and, where the strategy allows it, through a surviving reference after the
// kill; and percpu_ref get/put itself, live (per-CPU, no atomics) and after kill (atomic RMW).
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
        Benchmark("\(S.name) alloc+free 64B live") { benchmark in
            try Pinning.pinCurrentThread(to: cpu)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let object = S.allocate(from: live, size: size, cpu: cpu).unsafelyUnwrapped
                blackHole(object)
                S.free(object, cpu: cpu)
            }
            benchmark.stopMeasurement()
        }
        guard S.postKillAllocation.isAllowed else { return }
        // One object outlives the kill so the allocator does too, as a kptr in a map would.
        let killed = try makeLifetime(S.self)
        let survivor = S.allocate(from: killed, size: size, cpu: cpu).unsafelyUnwrapped
        blackHole(survivor)
        _ = killed.releaseOwner(S.self)
        Benchmark("\(S.name) alloc+free 64B after kill") { benchmark in
            try Pinning.pinCurrentThread(to: cpu)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let object = S.allocateAfterKill(from: killed, size: size, cpu: cpu).unsafelyUnwrapped
                blackHole(object)
                S.free(object, cpu: cpu)
            }
            benchmark.stopMeasurement()
        }
    }

    private func makeLifetime<S: LifetimeStrategy>(_: S.Type) throws -> AllocatorLifetime {
        let allocator = try MemAllocator(topology: topology, path: S.allocatorPath(objectSize: Self.objectSize))
        let lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit,
                                              keepsTombstone: false, withPercpuRef: S.usesPercpuRef, observer: nil)
        lifetime.acquireOwner()  // the allocator map
        return lifetime
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
            if afterKill { _ = ref.kill() }
            Benchmark("percpu-ref get+put \(afterKill ? "after kill" : "live")") { benchmark in
                try Pinning.pinCurrentThread(to: cpu)
                benchmark.startMeasurement()
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
