import Results
/// `larson` (after Larson & Krishnan's server benchmark): each worker keeps 1024 slots of
/// objects with random sizes from 8 B up to the case size (so fixed-size paths hold them);
/// each step replaces a random slot, so lifetimes are random. One allocation in 16 is sent to
/// the next worker and freed there, as a server hands requests between threads.
struct LarsonWorkload: Workload {
    static let kind = WorkloadKind.larson
    static let batch = 1024
    static let slotCount = 1024
    let maxSize: Int
    let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let outgoing: ObjectRing?
    let incoming: ObjectRing
    var random: FastRandom

    init(shared: WorkloadShared, worker: Int) {
        // Random sizes up to 512 B, but never above the case's size (the fixed-size path of
        // kmem-cache only holds `size`): the case's size is the upper bound.
        maxSize = max(8, shared.size)
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: nil, count: Self.slotCount)
        incoming = shared.rings[worker]
        outgoing = shared.threads > 1 ? shared.rings[(worker + 1) % shared.threads] : nil
        random = FastRandom(seed: shared.seed &+ UInt64(worker) &* 0x2545_F491)
    }

    @inline(__always)
    mutating func runBatch<T: WorkloadTarget>(_ target: T, cpu: Int, counters: inout PhaseCounters) {
        let t0 = now()
        var done = 0
        while done < Self.batch {
            let r = random.next()
            let size = 8 + Int((r >> 20) % UInt64(maxSize - 7))
            guard let p = target.allocate(size: size, cpu: cpu) else { counters.failedAllocations += 1; break }
            if let out = outgoing, r & 15 == 0, out.push(p) {
                // Sent to the next CPU, which frees it.
            } else {
                let i = Int(r % UInt64(Self.slotCount))
                if let old = slots[i] { target.free(old, cpu: cpu) }
                slots[i] = p
            }
            if r & 15 == 1, let q = incoming.pop() { target.free(q, cpu: cpu) }
            done &+= 1
        }
        counters.pairNs += now() - t0
        counters.pairOps += done
    }

    mutating func finish<T: WorkloadTarget>(_ target: T, cpu: Int) {
        for i in 0..<Self.slotCount {
            if let p = slots[i] { target.free(p, cpu: cpu); slots[i] = nil }
        }
        while let q = incoming.pop() { target.free(q, cpu: cpu) }
        slots.deallocate()
    }
}
