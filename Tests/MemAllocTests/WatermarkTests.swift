import Platform
import Testing
@testable import MemAlloc

@Suite(.tags(.memory)) struct WatermarkTests {
    let topology = Topology.synthetic(cpus: 2, nodes: 1)
    let cls64 = SizeClass.index(forRequest: 64)!  // 96-byte unit: low 32, high 96, batch 48

    @Test func prefillIsFourSmallAndOneLarge() throws {
        let a = try MemAllocator(topology: topology)
        defer { a.destroy() }
        for cpu in 0..<2 {
            for cls in 0..<SizeClass.count {
                #expect(a.cachedCount(cpu: cpu, classIndex: cls) == (SizeClass.unitSizes[cls] <= 256 ? 4 : 1))
            }
        }
    }

    @Test func allocationBelowLowWatermarkRefillsOneBatch() throws {
        let a = try MemAllocator(topology: topology)
        var live: [UnsafeMutableRawPointer] = []
        // 4 prefilled; the first allocation leaves 3 < 32 and refills 48 → 51.
        live.append(a.allocate(size: 64, cpu: 0)!)
        #expect(a.cachedCount(cpu: 0, classIndex: cls64) == 51)
        // 19 more leave 32 (not below low): no refill.
        for _ in 0..<19 { live.append(a.allocate(size: 64, cpu: 0)!) }
        #expect(a.cachedCount(cpu: 0, classIndex: cls64) == 32)
        // The next leaves 31 < 32 → refill 48 → 79.
        live.append(a.allocate(size: 64, cpu: 0)!)
        #expect(a.cachedCount(cpu: 0, classIndex: cls64) == 79)
        #expect(a.stats().classes[cls64].refills == 2)
        for p in live { a.free(p, cpu: 0) }
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }

    @Test func freeAboveHighWatermarkDrainsToTheMidpoint() throws {
        let a = try MemAllocator(topology: topology)
        var live: [UnsafeMutableRawPointer] = []
        for _ in 0..<200 { live.append(a.allocate(size: 64, cpu: 0)!) }
        // Free on CPU 1 (4 cached): the free that makes 97 > 96 drains to (32+96)/2 = 64.
        for p in live.prefix(92) { a.free(p, cpu: 1) }
        #expect(a.cachedCount(cpu: 1, classIndex: cls64) == 96)
        #expect(a.stats().classes[cls64].drains == 0)
        a.free(live[92], cpu: 1)
        #expect(a.cachedCount(cpu: 1, classIndex: cls64) == 64)
        #expect(a.stats().classes[cls64].drains == 1)
        for p in live.dropFirst(93) { a.free(p, cpu: 0) }
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }

    @Test func largeClassesUseTheirOwnWatermarks() throws {
        let a = try MemAllocator(topology: topology)
        let cls = SizeClass.index(forRequest: 4000)!  // 4096: low 2, high 6, batch 3, prefill 1
        let p = a.allocate(size: 4000, cpu: 0)!
        // 1 prefilled → 0 < 2 → refill 3.
        #expect(a.cachedCount(cpu: 0, classIndex: cls) == 3)
        a.free(p, cpu: 0)
        #expect(a.destroy().isClean)
    }

    @Test func fixedSizePathHasOneExactClass() throws {
        let a = try MemAllocator(topology: topology, path: .fixedSize(64))
        #expect(a.cacheParameters.count == 1)
        #expect(a.cacheParameters[0].unitSize == 72)
        #expect(a.allocate(size: 65, cpu: 0) == nil)
        #expect(a.allocate(size: 0, cpu: 0) == nil)
        let p = a.allocate(size: 64, cpu: 0)!
        #expect(a.cachedCount(cpu: 0, classIndex: 0) == 51)
        a.free(p, cpu: 1)
        #expect(a.destroy().isClean)
    }

    @Test func sizeClassPathRejectsZeroAndOversize() throws {
        let a = try MemAllocator(topology: topology)
        defer { a.destroy() }
        #expect(a.allocate(size: 0, cpu: 0) == nil)
        #expect(a.allocate(size: 4089, cpu: 0) == nil)
    }
}
