import Glibc
import SystemAllocators
import Testing

/// jemalloc's per-thread byte counter rises with our allocations and not with glibc's.
@Suite(.enabled(if: isInstalled(.jemalloc), "libjemalloc2 not installed"))
struct JemallocProvenanceTests {
    typealias Mallctl = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int
    ) -> Int32

    /// `mallctl("thread.allocated")`: bytes this thread has allocated from jemalloc so far.
    func threadAllocated(_ mallctl: Mallctl) throws -> UInt64 {
        var value: UInt64 = 0
        var length = MemoryLayout<UInt64>.size
        let rc = mallctl("thread.allocated", &value, &length, nil, 0)
        try #require(rc == 0, "mallctl failed: \(rc)")
        return value
    }

    @Test func threadAllocatedCountsOurAllocations() throws {
        let jemalloc = try #require(installed.allocator(.jemalloc))
        let mallctl = try #require(entryPoint("mallctl", of: jemalloc, as: Mallctl.self))
        let count = 1000, size = 64
        // First call initialises jemalloc's thread state, so the baseline is taken after it.
        jemalloc.free(try #require(jemalloc.allocate(size: size)))
        let before = try threadAllocated(mallctl)
        var objects: [UnsafeMutableRawPointer] = []
        objects.reserveCapacity(count)
        for _ in 0..<count { objects.append(try #require(jemalloc.allocate(size: size))) }
        let after = try threadAllocated(mallctl)
        for object in objects { jemalloc.free(object) }
        #expect(after - before >= UInt64(count * size))
    }

    @Test func glibcAllocationsDoNotMoveTheCounter() throws {
        let jemalloc = try #require(installed.allocator(.jemalloc))
        let glibc = try SystemAllocator.load(.glibc)
        let mallctl = try #require(entryPoint("mallctl", of: jemalloc, as: Mallctl.self))
        let count = 1000, size = 64
        jemalloc.free(try #require(jemalloc.allocate(size: size)))
        let before = try threadAllocated(mallctl)
        var objects: [UnsafeMutableRawPointer] = []
        objects.reserveCapacity(count)
        for _ in 0..<count { objects.append(try #require(glibc.allocate(size: size))) }
        let after = try threadAllocated(mallctl)
        for object in objects { glibc.free(object) }
        #expect(after - before < UInt64(count * size))
    }
}
