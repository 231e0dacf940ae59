/// Why a system allocator could not be loaded. Each description is one line naming the package.
public enum SystemAllocatorLoadError: Error, Equatable, CustomStringConvertible {
    /// `dlopen` failed: the library is not installed (or not loadable here).
    case notInstalled(kind: SystemAllocatorKind, soname: String, reason: String)
    /// The library is installed but needs more static TLS than the process reserved at start
    /// (Debian's jemalloc); the process was not started through the CDynamicLoader re-exec.
    case staticTLSExhausted(kind: SystemAllocatorKind, soname: String, tunable: String)
    /// The library loaded but lacks an entry point we call.
    case missingSymbol(kind: SystemAllocatorKind, soname: String, symbol: String)
    /// `malloc`/`free` resolved to an object other than the library itself.
    case wrongObject(kind: SystemAllocatorKind, soname: String, symbol: String, foundIn: String)

    public var kind: SystemAllocatorKind {
        switch self {
        case .notInstalled(let kind, _, _), .staticTLSExhausted(let kind, _, _), .missingSymbol(let kind, _, _), .wrongObject(let kind, _, _, _): kind
        }
    }

    public var description: String {
        switch self {
        case .notInstalled(let kind, let soname, let reason):
            "\(kind): skipped, \(soname) not loadable (\(reason)); install the Debian package \(kind.debianPackage)"
        case .staticTLSExhausted(let kind, let soname, let tunable):
            "\(kind): skipped, \(soname) (Debian package \(kind.debianPackage)) needs more static TLS; run with GLIBC_TUNABLES=\(tunable)"
        case .missingSymbol(let kind, let soname, let symbol):
            "\(kind): skipped, \(soname) has no symbol \(symbol); reinstall the Debian package \(kind.debianPackage)"
        case .wrongObject(let kind, let soname, let symbol, let foundIn):
            "\(kind): skipped, \(symbol) from \(soname) resolved into \(foundIn); check the Debian package \(kind.debianPackage)"
        }
    }
}
