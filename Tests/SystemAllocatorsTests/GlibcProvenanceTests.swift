import Glibc
import Testing
import SystemAllocators

/// The glibc row uses libc's own malloc: usable sizes are glibc's, and it is the process allocator.
@Suite struct GlibcProvenanceTests {
    typealias UsableSize = @convention(c) (UnsafeMutableRawPointer?) -> Int

    @Test func usableSizeIsGlibcsChunkSize() throws {
        let glibc = try SystemAllocator.load(.glibc)
        let usableSize = try #require(entryPoint("malloc_usable_size", of: glibc, as: UsableSize.self))
        for size in [1, 24, 100, 1000, 200_000] {
            let object = try #require(glibc.allocate(size: size))
            // glibc chunks: 16-byte granules minus the 8-byte size field, minimum 24 usable.
            let usable = usableSize(object)
            #expect(usable >= size && usable < size + 4096 + 24)
            if size < 128 * 1024 { #expect(usable % 16 == 8) }
            glibc.free(object)
        }
    }

    @Test func glibcRowAllocatesWhereTheProcessDoes() throws {
        let glibc = try SystemAllocator.load(.glibc)
        #expect(glibc.libraryPath == ProcessAllocator.mallocLibraryPath)
        // A chunk freed through our pointer is reused by the process malloc: the same arena.
        let object = try #require(glibc.allocate(size: 40))
        glibc.free(object)
        let again = try #require(malloc(40))
        defer { free(again) }
        #expect(again == object)
    }
}
