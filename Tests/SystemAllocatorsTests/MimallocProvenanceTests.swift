import SystemAllocators
import Testing

/// mimalloc knows its own heap: our pointers are in it, other allocators' are not.
@Suite(.enabled(if: isInstalled(.mimalloc), "libmimalloc2.0 not installed"))
struct MimallocProvenanceTests {
    typealias IsInHeapRegion = @convention(c) (UnsafeRawPointer?) -> Bool

    @Test(arguments: SystemAllocatorKind.allCases.filter(isInstalled))
    func heapRegionContainsOnlyMimallocPointers(kind: SystemAllocatorKind) throws {
        let mimalloc = try #require(installed.allocator(.mimalloc))
        let isInHeapRegion = try #require(entryPoint("mi_is_in_heap_region", of: mimalloc, as: IsInHeapRegion.self))
        let allocator = try #require(installed.allocator(kind))
        let object = try #require(allocator.allocate(size: 48))
        defer { allocator.free(object) }
        #expect(isInHeapRegion(object) == (kind == .mimalloc), "\(kind) pointer")
    }
}
