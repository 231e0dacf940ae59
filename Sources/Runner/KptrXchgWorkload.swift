import Results
/// `kptr-xchg`: allocate, exchange into a random slot of the shared map, free the old value
/// (`bpf_kptr_xchg` then `bpf_obj_drop`). Slots are shared by all workers, so the old value was
/// often allocated on another CPU, and the exchange is a contended atomic swap.
struct KptrXchgWorkload: Workload {
    static let kind = WorkloadKind.kptrXchg
    static let batch = 1024
    let size: Int
    let slots: Int
    var random: FastRandom

    init(shared: WorkloadShared, worker: Int) {
        size = shared.size
        slots = shared.mapSlots
        random = FastRandom(seed: shared.seed &+ UInt64(worker) &* 0x9E37_79B9)
    }

    @inline(__always)
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters) {
        let t0 = now()
        var done = 0
        while done < Self.batch {
            guard let p = target.allocate(size: size, cpu: cpu) else { counters.failedAllocations += 1; break }
            let slot = Int(random.next() % UInt64(slots))
            if let old = target.exchange(slot: slot, with: p, cpu: cpu) { target.free(old, cpu: cpu) }
            done &+= 1
        }
        counters.pairNs += now() - t0
        counters.pairOps += done
    }

    /// Objects left in slots stay in the map: the case's stash/drain phases own them.
    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int) {}
}
