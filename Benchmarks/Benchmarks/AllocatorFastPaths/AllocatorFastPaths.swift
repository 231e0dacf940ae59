import Benchmark
import FastPathThresholds
import MemAlloc
import Platform

// Single-thread fast paths of the allocator core: one alloc+free pair on the CPU the benchmark
// thread is pinned to, so every operation hits the per-CPU cache (a refill or drain once per
// batch, amortized). The size-class path looks up the class of each request; the fixed-size
// path (the kmem_cache of MAP_TYPE_ALLOCATOR with value_size > 0) has one class.
// Names have no spaces: see StrategyFastPaths.swift on threshold file names.
let benchmarks = {
    Benchmark.defaultConfiguration = FastPathThresholds.configuration
    let topology = Topology.current()
    let cpu = topology.cpus[0].id

    for (label, path) in [("size-class", MemAllocator.Path.sizeClasses), ("fixed-size", .fixedSize(64))] {
        let allocator = try! MemAllocator(topology: topology, path: path)
        // One checked pair: the timed loop unwraps without a check.
        guard let probe = allocator.allocate(size: 64, cpu: cpu) else { fatalError("\(label): no 64-byte object") }
        MemAllocator.free(probe, cpu: cpu)
        Benchmark("\(label)_alloc+free_64B") { benchmark in
            // The caches are per CPU and touched only by the thread pinned there.
            try Pinning.pinCurrentThread(to: cpu)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let object = allocator.allocate(size: 64, cpu: cpu).unsafelyUnwrapped
                blackHole(object)
                MemAllocator.free(object, cpu: cpu)
            }
            benchmark.stopMeasurement()
        }
    }
}
