import Results
/// `remote`: worker i allocates and sends each object to worker i+1, which frees it on its own
/// CPU — memalloc.c's unit_free onto the freeing CPU, and the bench_htab_mem
/// "add_del_on_diff_cpu" pattern. Throughput counts objects freed per second.
struct RemoteWorkload: Workload {
    static let kind = WorkloadKind.remote
    static let batch = 256
    let size: Int
    let outgoing: ObjectRing
    let incoming: ObjectRing

    init(shared: WorkloadShared, worker: Int) {
        size = shared.size
        incoming = shared.rings[worker]
        outgoing = shared.rings[(worker + 1) % shared.threads]
    }

    @inline(__always)
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters) {
        let t0 = now()
        var freed = 0
        for _ in 0..<Self.batch {
            guard let p = target.allocate(size: size, cpu: cpu) else { counters.failedAllocations += 1; break }
            var spins = 0
            while !outgoing.push(p) {
                // Full: make progress on our own incoming ring so two full rings cannot deadlock.
                if let q = incoming.pop() { target.free(q, cpu: cpu); freed &+= 1 }
                spins &+= 1
                if spins > 1 << 20 { target.free(p, cpu: cpu); freed &+= 1; break }
            }
        }
        while freed < Self.batch, let q = incoming.pop() {
            target.free(q, cpu: cpu)
            freed &+= 1
        }
        counters.pairNs += now() - t0
        counters.pairOps += freed
    }

    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int) {
        while let q = incoming.pop() { target.free(q, cpu: cpu) }
    }
}
