import Glibc
import SystemAllocators
import Testing

@Suite struct ProcessAllocatorTests {
    @Test func processMallocStaysGlibcAfterLoadingAll() throws {
        _ = SystemAllocator.available()  // load everything installed (again)
        #expect(ProcessAllocator.isGlibc)
        let path = try #require(ProcessAllocator.mallocLibraryPath)
        #expect(path.hasSuffix("libc.so.6"))
    }

    @Test func loadedAllocatorsAreNotTheProcessAllocator() {
        for allocator in installed.allocators where allocator.kind != .glibc {
            #expect(allocator.libraryPath != ProcessAllocator.mallocLibraryPath, "\(allocator.name)")
        }
    }

    @Test func processMallocStillWorksAfterLoadingAll() throws {
        // An interposed free on a glibc pointer would crash here.
        let p = try #require(malloc(100))
        memset(p, 0xA5, 100)
        free(p)
    }
}
