import Testing
@testable import MemAlloc

@Suite struct PerCPUCacheLayoutTests {
    @Test func perCPUCachesArePaddedToTwoCacheLines() {
        #expect(MemoryLayout<PerCPUCache>.stride == CacheLine.perCPUStride)
        #expect(MemoryLayout<PerCPUCache>.size <= CacheLine.perCPUStride)
    }

    @Test func noTwoCPUsShareACacheLine() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 4, nodes: 2))
        defer { a.destroy() }
        let base = UInt(bitPattern: a.state.pointee.caches)
        #expect(base % UInt(CacheLine.perCPUStride) == 0)
        // Every cache starts on its own line pair, so the line sets of distinct caches are disjoint.
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
