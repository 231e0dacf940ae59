import Glibc
import SystemAllocators
import Testing

@Suite struct LoadingTests {
    @Test func glibcAlwaysLoads() throws {
        let glibc = try SystemAllocator.load(.glibc)
        #expect(glibc.name == "glibc")
        #expect(glibc.libraryPath.hasSuffix("libc.so.6"))
    }

    @Test(arguments: SystemAllocatorKind.allCases)
    func eachKindLoadsFromItsOwnLibrary(kind: SystemAllocatorKind) throws {
        if let allocator = installed.allocator(kind) {
            #expect(allocator.kind == kind)
            #expect(allocator.libraryPath.hasSuffix(kind.soname) || allocator.libraryPath.contains(kind.soname))
        } else {
            // Not installed: the skip note must say which package to install.
            let note = try #require(installed.skipped.first { $0.kind == kind })
            #expect(note.description.contains(kind.debianPackage))
        }
    }

    static func onDisk(_ kind: SystemAllocatorKind) -> Bool {
        ["/usr/lib/x86_64-linux-gnu/", "/lib/x86_64-linux-gnu/"].contains { access($0 + kind.soname, F_OK) == 0 }
    }

    /// A Debian package present on disk must load: a silent skip would hide its rows and tests.
    @Test(arguments: SystemAllocatorKind.allCases.filter(LoadingTests.onDisk))
    func installedLibraryIsNeverSkipped(kind: SystemAllocatorKind) {
        #expect(isInstalled(kind), "\(installed.skipped.first { $0.kind == kind }?.description ?? "")")
    }

    @Test func processReservedStaticTLSForJemalloc() throws {
        // The CDynamicLoader constructor re-executed this process with the tunable.
        let tunables = try #require(getenv("GLIBC_TUNABLES")).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        #expect(tunables.contains("glibc.rtld.optional_static_tls="))
    }

    @Test func missingLibraryIsOneLineNamingThePackage() {
        #expect {
            try SystemAllocator.load(.jemalloc, soname: "libjemalloc-not-installed.so.99")
        } throws: { error in
            guard let error = error as? SystemAllocatorLoadError,
                  case .notInstalled(let kind, let soname, _) = error else { return false }
            let line = error.description
            return kind == .jemalloc && soname == "libjemalloc-not-installed.so.99"
                && line.contains("libjemalloc2") && !line.contains("\n")
        }
    }

    @Test func libraryWithoutTheEntryPointsIsSkippedNotCrashed() {
        // libm loads, but defines none of mimalloc's symbols: a note, not a trap.
        #expect(throws: SystemAllocatorLoadError.self) {
            try SystemAllocator.load(.mimalloc, soname: "libm.so.6")
        }
    }

    @Test func everyKindIsEitherLoadedOrNoted() {
        let loaded = installed.allocators.map(\.kind)
        let noted = installed.skipped.map(\.kind)
        #expect(Set(loaded).isDisjoint(with: noted))
        #expect(loaded.count + noted.count == SystemAllocatorKind.allCases.count)
        #expect(installed.notes.count == noted.count)
    }

    @Test func valueIsTriviallyCopyable() {
        // The runner copies it into every worker: no reference counting may hide in it.
        #expect(_isPOD(SystemAllocator.self))
    }
}
