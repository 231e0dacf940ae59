import Results
/// `batch`: allocate 256 objects, then free them — alloc and free timed separately (the bpf
/// selftests' "alloc … M/s free … M/s"). 256 > the high watermark (96), so every batch
/// crosses both watermarks: refills and drains are part of the figure, as in the kernel.
struct BatchWorkload: Workload {
    static let kind = WorkloadKind.batch
    static let batch = 256
    let size: Int
    let held: UnsafeMutablePointer<UnsafeMutableRawPointer>

    init(shared: WorkloadShared, worker: Int) {
        size = shared.size
        held = .allocate(capacity: Self.batch)
    }

    @inline(__always)
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters) {
        let t0 = now()
        var n = 0
        while n < Self.batch {
            guard let p = target.allocate(size: size, cpu: cpu) else { counters.failedAllocations += 1; break }
            held[n] = p
            n &+= 1
        }
        let t1 = now()
        for i in 0..<n { target.free(held[i], cpu: cpu) }
        let t2 = now()
        counters.allocOps += n
        counters.allocNs += t1 - t0
        counters.freeOps += n
        counters.freeNs += t2 - t1
    }

    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int) { held.deallocate() }
}
