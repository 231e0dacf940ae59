import Benchmark
import MemAlloc
import Platform

// Single-thread fast paths of the allocator core: one alloc+free pair on the CPU the benchmark
// thread is pinned to, so every operation hits the per-CPU cache (no refill, no drain).
// Thresholds: the fast path must never call malloc (absolute 0), and time may not grow by more
// than the noise of a shared 2-CPU machine allows (see FastPathThresholds).
let benchmarks = {
    Benchmark.defaultConfiguration = FastPathThresholds.configuration
    let topology = Topology.current()
    let cpu = topology.cpus[0].id

    for (label, path) in [("size-class", MemAllocator.Path.sizeClasses), ("fixed-size", .fixedSize(64))] {
        let allocator = try! MemAllocator(topology: topology, path: path)
        Benchmark("\(label) alloc+free 64B") { benchmark in
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
