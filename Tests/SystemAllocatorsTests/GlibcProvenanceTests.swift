import Glibc
import SystemAllocators
import Testing

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
        // The row's malloc and free are the very functions the process calls. (Checking that a
        // freed chunk comes back from the process's malloc was flaky: with this size's tcache bin
        // full, the chunk goes to a fastbin and malloc returns another one.)
        for name in ["malloc", "free"] {
            let row = try #require(glibc.symbol(name))
            let process = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name))  // RTLD_DEFAULT
            #expect(UnsafeRawPointer(row) == UnsafeRawPointer(process), "\(name)")
        }
        // And memory crosses between them: freed by the process, allocated by the row.
        let object = try #require(glibc.allocate(size: 40))
        free(object)
    }
}
