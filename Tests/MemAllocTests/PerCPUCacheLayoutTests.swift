import Platform
import Testing
@testable import MemAlloc

@Suite(.tags(.memory)) struct PerCPUCacheLayoutTests {
    @Test func perCPUCachesArePaddedToFourCacheLines() {
        #expect(MemoryLayout<PerCPUCache>.stride == CacheLine.perCPUStride)
        #expect(MemoryLayout<PerCPUCache>.size == CacheLine.perCPUStride)
    }

    /// What a remote free reads of the owner cache must not share a line with what the owner
    /// writes on every operation, nor with what other CPUs write at their drains.
    @Test func remoteFreeFieldsSitOnTheirOwnLine() {
        func line(_ key: PartialKeyPath<PerCPUCache>) -> Int { MemoryLayout<PerCPUCache>.offset(of: key)! / CacheLine.size }
        let readByRemoteFree: [PartialKeyPath<PerCPUCache>] = [
            \.classColumn, \.classCount, \.classIndex, \.cpu, \.allocator, \.lifetimeWords, \.lifetimeContext,
            \.highWatermark, \.lowWatermark, \.batch, \.unitSize, \.node]
        let writtenByOwnerEveryOp: [PartialKeyPath<PerCPUCache>] = [\.freeHead, \.freeCount, \.drainTarget]
        let writtenByOwnerPerBatch: [PartialKeyPath<PerCPUCache>] = [
            \.spareHead, \.spareCount, \.slabCursor, \.slabEnd, \.slabs, \.carvedUnits, \.refills, \.drains, \.remoteReturns, \.sharedOperations]
        let writtenByOtherCPUs: [PartialKeyPath<PerCPUCache>] = [\.returned]
        #expect(Set(readByRemoteFree.map(line)) == [0])
        #expect(Set(writtenByOwnerEveryOp.map(line)) == [1])
        #expect(Set(writtenByOwnerPerBatch.map(line)) == [2])
        #expect(Set(writtenByOtherCPUs.map(line)) == [3])
    }

    @Test func noTwoCPUsShareACacheLine() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 4, nodes: 2))
        defer { a.destroy() }
        let base = UInt(bitPattern: a.state.pointee.caches)
        #expect(base % UInt(CacheLine.perCPUStride) == 0)
        // Every cache starts on its own line group, so the line sets of distinct caches are disjoint.
        var lines = Set<UInt>()
        for i in 0..<(4 * SizeClass.count) {
            let start = base + UInt(i * MemoryLayout<PerCPUCache>.stride)
            let end = start + UInt(MemoryLayout<PerCPUCache>.size) - 1
            for line in stride(from: start / 64, through: end / 64, by: 1) {
                #expect(lines.insert(line).inserted, "cache \(i) shares line \(line)")
            }
        }
    }
}
