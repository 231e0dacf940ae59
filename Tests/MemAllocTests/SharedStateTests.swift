import Platform
import Testing
@testable import MemAlloc

/// On the common path the core touches nothing another CPU writes: no lock exists, and the only
/// atomics are the returned-list push (a drain of another CPU's objects) and take (a refill).
@Suite(.tags(.memory)) struct SharedStateTests {
    let topology = Topology.synthetic(cpus: 64, nodes: 8)

    @Test func localTrafficOnEveryCPUOfAnEightNodeMachineMakesNoSharedOperation() throws {
        let a = try MemAllocator(topology: topology, memory: NodeMemory(source: .simulated))
        var held: [UnsafeMutableRawPointer] = []
        for round in 0..<4 {
            for cpu in 0..<64 {
                // Batches of 256 cross both watermarks: refills and drains happen on every CPU.
                for _ in 0..<256 { held.append(a.allocate(size: 64 + round * 100, cpu: cpu)!) }
                for p in held { a.free(p, cpu: cpu) }
                held.removeAll(keepingCapacity: true)
            }
        }
        let s = a.stats()
        #expect(s.refills > 64 * 4 && s.drains > 64 * 4)
        #expect(s.sharedOperations == 0)
        #expect(s.remoteReturns == 0)
        // Each CPU's slabs sit on its own node: 8 CPUs per node, the same bytes on every node.
        #expect(Set(s.slabBytesPerNode).count == 1)
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }

    @Test func crossCPUFreesSynchronizeOncePerChainNotPerObject() throws {
        let a = try MemAllocator(topology: topology, memory: NodeMemory(source: .simulated))
        let objects = 64 * 1000
        var live: [UnsafeMutableRawPointer] = []
        for i in 0..<objects { live.append(a.allocate(size: 64, cpu: i % 64)!) }
        for (i, p) in live.enumerated() { a.free(p, cpu: (i + 9) % 64) }  // always another node
        for cpu in 0..<64 { for _ in 0..<200 { live.append(a.allocate(size: 64, cpu: cpu)!) } }
        for p in live.suffix(64 * 200) { a.free(p, cpu: 0) }
        let s = a.stats()
        #expect(s.remoteReturns > objects / 2)
        #expect(s.sharedOperations > 0)
        #expect(s.sharedOperations * 30 < s.remoteReturns + objects, "one push per drained chain of ~33, one take per refill")
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }
}
