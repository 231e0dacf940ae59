/// The system allocators measured as reference rows, and where each comes from on Debian.
public enum SystemAllocatorKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case glibc, jemalloc, mimalloc, tcmalloc

    public var description: String { rawValue }

    /// The soname passed to `dlopen`: the runtime library, not the `-dev` symlink.
    public var soname: String {
        switch self {
        case .glibc: "libc.so.6"
        case .jemalloc: "libjemalloc.so.2"
        case .mimalloc: "libmimalloc.so.2"
        case .tcmalloc: "libtcmalloc_minimal.so.4"
        }
    }

    /// The Debian package that installs `soname`: what the skip note tells the user to install.
    public var debianPackage: String {
        switch self {
        case .glibc: "libc6"
        case .jemalloc: "libjemalloc2"
        case .mimalloc: "libmimalloc2.0"
        case .tcmalloc: "libtcmalloc-minimal4"
        }
    }

    /// The allocation entry point resolved from the library's own handle. Prefixed names where
    /// the library has them, so the symbol cannot be anyone else's; Debian's jemalloc exports
    /// only the unprefixed names, which `dlsym` on its handle finds in jemalloc first.
    var mallocSymbol: String {
        switch self {
        case .glibc, .jemalloc: "malloc"
        case .mimalloc: "mi_malloc"
        case .tcmalloc: "tc_malloc"
        }
    }

    var freeSymbol: String {
        switch self {
        case .glibc, .jemalloc: "free"
        case .mimalloc: "mi_free"
        case .tcmalloc: "tc_free"
        }
    }

    /// A symbol only this library defines. `malloc`/`free` must live in the same object as it,
    /// otherwise `dlsym` fell through to a dependency and we would measure the wrong allocator.
    var identitySymbol: String {
        switch self {
        case .glibc: "gnu_get_libc_version"
        case .jemalloc: "mallctl"
        case .mimalloc: "mi_is_in_heap_region"
        case .tcmalloc: "MallocExtension_GetOwnership"
        }
    }
}
