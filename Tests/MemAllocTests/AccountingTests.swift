import Platform
import Testing
@testable import MemAlloc

@Suite(.tags(.memory)) struct AccountingTests {
    @Test func remoteFreesJoinTheFreeingCPU() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        let cls = SizeClass.index(forRequest: 64)!
        let p = a.allocate(size: 64, cpu: 0)!
        let before = a.cachedCount(cpu: 1, classIndex: cls)
        a.free(p, cpu: 1)
        #expect(a.cachedCount(cpu: 1, classIndex: cls) == before + 1)
        let q = a.allocate(size: 64, cpu: 1)!
        #expect(q == p, "LIFO: CPU 1 hands out the object it just received")
        a.free(q, cpu: 1)
        #expect(a.stats().remoteReturns == 0, "no drain yet: nothing went back to CPU 0")
        #expect(a.destroy().isClean)
    }

    @Test func surplusOfRemoteFreesGoesHomeAsOneChainAndIsReusedThere() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        let cls = SizeClass.index(forRequest: 64)!  // low 32, high 96
        var live: [UnsafeMutableRawPointer] = []
        for _ in 0..<200 { live.append(a.allocate(size: 64, cpu: 0)!) }
        let carvedBefore = a.stats().classes[cls].carvedObjects
        // CPU 1 frees CPU 0's objects: at 97 it drains 33 to CPU 0's returned list.
        for p in live.prefix(93) { a.free(p, cpu: 1) }
        #expect(a.stats().classes[cls].returnedObjects == 33)
        #expect(a.stats().remoteReturns == 33)
        // CPU 0's next refill (48) takes the 33-unit chain whole and carves only the other 15.
        var again: [UnsafeMutableRawPointer] = []
        while a.stats().classes[cls].returnedObjects > 0 { again.append(a.allocate(size: 64, cpu: 0)!) }
        #expect(a.stats().classes[cls].carvedObjects == carvedBefore + 15)
        #expect(Set(again).isDisjoint(with: Set(live.dropFirst(93))))
        for p in again + live.dropFirst(93) { a.free(p, cpu: 0) }
        #expect(a.checkInvariants() == nil)
        #expect(a.stats().outstanding == 0)
        #expect(a.destroy().isClean)
    }

    @Test func ownerIsFoundThroughTheHeader() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        let b = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        let p = a.allocate(size: 100, cpu: 0)!
        let q = b.allocate(size: 100, cpu: 1)!
        #expect(MemAllocator.owner(of: p) == a)
        #expect(MemAllocator.owner(of: q) == b)
        MemAllocator.free(p, cpu: 1)
        MemAllocator.free(q, cpu: 0)
        #expect(a.stats().outstanding == 0 && b.stats().outstanding == 0)
        #expect(a.destroy().isClean && b.destroy().isClean)
    }

    @Test func destroyReportsLeaksBySizeClass() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        _ = a.allocate(size: 64, cpu: 0)
        _ = a.allocate(size: 64, cpu: 1)
        _ = a.allocate(size: 1000, cpu: 0)
        let kept = a.allocate(size: 16, cpu: 0)!
        a.free(kept, cpu: 0)
        let report = a.destroy()
        #expect(!report.isClean)
        #expect(report.leaks == [.init(unitSize: 96, objects: 2), .init(unitSize: 1024, objects: 1)])
        #expect(report.leakedObjects == 3)
        #expect(report.bytesReturned > 0)
    }

    @Test func destroyReturnsEverySlab() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1), keepTombstone: true)
        let held = a.stats().bytesHeld
        #expect(held > 0)
        let report = a.destroy()
        #expect(report.bytesReturned == held)
        #expect(a.isDestroyed)
        #expect(a.stats().bytesHeld == 0)
        a.releaseTombstone()
    }

    @Test func injectedEightNodeTopologyRefillsFromEachCPUsNode() throws {
        let t = Topology.synthetic(cpus: 256, nodes: 8)
        let a = try MemAllocator(topology: t, memory: NodeMemory(source: .simulated))
        #expect(a.state.pointee.nodeIDLimit == 8)
        // Every node pool carved slabs for its own CPUs' prefill.
        #expect(a.stats().slabBytesPerNode.allSatisfy { $0 > 0 })
        // CPU 200 is on node 6: its refill comes from node 6's pool.
        let before = a.stats().slabBytesPerNode
        var live: [UnsafeMutableRawPointer] = []
        for _ in 0..<2000 { live.append(a.allocate(size: 64, cpu: 200)!) }
        let after = a.stats().slabBytesPerNode
        for node in 0..<8 where node != 6 { #expect(after[node] == before[node]) }
        #expect(after[6] > before[6])
        #expect(a.state.pointee.caches[200 * SizeClass.count].node == 6)
        // Freed on CPU 0 (node 0): surplus drains back to the owner's cache on node 6, not node 0.
        let spareBefore = a.stats().spareBytesPerNode
        for p in live { a.free(p, cpu: 0) }
        let spareAfter = a.stats().spareBytesPerNode
        #expect(spareAfter[6] > spareBefore[6])
        #expect(spareAfter[0] == spareBefore[0])
        #expect(a.stats().remoteReturns > 1900)
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }
}
