import SystemAllocators
import Testing

/// tcmalloc answers ownership questions: it owns our pointers and no other allocator's.
@Suite(.enabled(if: isInstalled(.tcmalloc), "libtcmalloc-minimal4 not installed"))
struct TcmallocProvenanceTests {
    typealias GetOwnership = @convention(c) (UnsafeRawPointer?) -> Int32
    typealias MallocSize = @convention(c) (UnsafeMutableRawPointer?) -> Int
    // MallocExtension_Ownership in gperftools/malloc_extension_c.h.
    static let owned: Int32 = 1, notOwned: Int32 = 2

    @Test(arguments: SystemAllocatorKind.allCases.filter(isInstalled))
    func ownershipMatchesTheAllocator(kind: SystemAllocatorKind) throws {
        let tcmalloc = try #require(installed.allocator(.tcmalloc))
        let ownership = try #require(entryPoint("MallocExtension_GetOwnership", of: tcmalloc, as: GetOwnership.self))
        let allocator = try #require(installed.allocator(kind))
        let object = try #require(allocator.allocate(size: 48))
        defer { allocator.free(object) }
        #expect(ownership(object) == (kind == .tcmalloc ? Self.owned : Self.notOwned), "\(kind) pointer")
    }

    @Test func usableSizeCoversTheRequest() throws {
        let tcmalloc = try #require(installed.allocator(.tcmalloc))
        let mallocSize = try #require(entryPoint("tc_malloc_size", of: tcmalloc, as: MallocSize.self))
        for size in [8, 16, 100, 4096, 100_000] {
            let object = try #require(tcmalloc.allocate(size: size))
            #expect(mallocSize(object) >= size)
            tcmalloc.free(object)
        }
    }
}
