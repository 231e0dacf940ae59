import Results
/// `pair`: allocate and immediately free on the same CPU — the fast path of both halves.
struct PairWorkload: Workload {
    static let kind = WorkloadKind.pair
    static let batch = 2048
    let size: Int

    init(shared: WorkloadShared, worker: Int) { size = shared.size }

    @inline(__always)
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters) {
        let t0 = now()
        var done = 0
        while done < Self.batch {
            guard let p = target.allocate(size: size, cpu: cpu) else { counters.failedAllocations += 1; break }
            target.free(p, cpu: cpu)
            done &+= 1
        }
        counters.pairNs += now() - t0
        counters.pairOps += done
    }

    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int) {}
}
