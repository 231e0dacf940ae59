import MemAlloc
import Platform

/// The benchmark's workloads replayed on every CPU of a topology from one thread, CPU after
/// CPU (each cache is still touched by one thread at a time), to read what an allocator holds
/// in the steady state of each: how far its per-CPU lists sit between the watermarks once the
/// traffic has run. No timing: the figures are bytes.
public enum SteadyStateTraffic: String, CaseIterable, Sendable {
    case pair, batch, remote
    case kptrXchg = "kptr-xchg"
    case larson

    /// Runs the traffic on `allocator` over every CPU of `topology` and returns the footprint
    /// at the end, with the objects the workload keeps (map slots, larson's windows) still
    /// live; then frees them, so the allocator ends with nothing outstanding.
    public func run(on allocator: MemAllocator, topology: Topology, size: Int, mapSlots: Int = 16_384, seed: UInt64 = 1) -> AllocatorFootprint {
        let cpus = topology.cpus.map(\.id)
        var live: [(UnsafeMutableRawPointer, Int)] = []  // object, CPU that will free it
        var random = seed | 1
        func next() -> UInt64 {
            random ^= random << 13; random ^= random >> 7; random ^= random << 17
            return random
        }
        switch self {
        case .pair:
            for cpu in cpus {
                for _ in 0..<1000 { if let p = allocator.allocate(size: size, cpu: cpu) { allocator.free(p, cpu: cpu) } }
            }
        case .batch, .remote:
            var objects: [UnsafeMutableRawPointer] = []
            objects.reserveCapacity(256)
            for (i, cpu) in cpus.enumerated() {
                let freer = self == .remote ? cpus[(i + 1) % cpus.count] : cpu
                for _ in 0..<4 {
                    for _ in 0..<256 { if let p = allocator.allocate(size: size, cpu: cpu) { objects.append(p) } }
                    for p in objects { allocator.free(p, cpu: freer) }
                    objects.removeAll(keepingCapacity: true)
                }
            }
        case .kptrXchg:
            var slots = [UnsafeMutableRawPointer?](repeating: nil, count: mapSlots)
            for cpu in cpus {
                for _ in 0..<1000 {
                    guard let p = allocator.allocate(size: size, cpu: cpu) else { continue }
                    let i = Int(next() % UInt64(mapSlots))
                    if let old = slots[i] { allocator.free(old, cpu: cpu) }
                    slots[i] = p
                }
            }
            for case let p? in slots { live.append((p, cpus[0])) }
        case .larson:
            // Per CPU a window of 1024 objects of random sizes 8…size; one in 16 freed by the next CPU.
            for (i, cpu) in cpus.enumerated() {
                var window = [UnsafeMutableRawPointer?](repeating: nil, count: 1024)
                for _ in 0..<4096 {
                    let r = next()
                    let s = 8 + Int((r >> 20) % UInt64(max(size, 8) - 7))
                    guard let p = allocator.allocate(size: s, cpu: cpu) else { continue }
                    if r & 15 == 0 { allocator.free(p, cpu: cpus[(i + 1) % cpus.count]); continue }
                    let k = Int(r % 1024)
                    if let old = window[k] { allocator.free(old, cpu: cpu) }
                    window[k] = p
                }
                for case let p? in window { live.append((p, cpu)) }
            }
        }
        let footprint = allocator.footprint()
        for (p, cpu) in live { allocator.free(p, cpu: cpu) }
        return footprint
    }
}
