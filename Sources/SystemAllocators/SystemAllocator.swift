/// A system allocator loaded at run time, driven through the same workloads as the strategies.
///
/// A plain value: two C function pointers resolved from the library's own handle, so the hot
/// path is one indirect call with no existential, allocation or reference counting. The library
/// is opened `RTLD_LOCAL` and never closed, so the process allocator stays glibc's and objects
/// may be freed on any thread at any time.
public struct SystemAllocator: @unchecked Sendable {  // unchecked: raw pointers to immutable code
    public typealias MallocFunction = @convention(c) (Int) -> UnsafeMutableRawPointer?
    public typealias FreeFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void

    public let kind: SystemAllocatorKind
    /// The `dlopen` handle: where `symbol(_:)` resolves the library's introspection entry points.
    public let libraryHandle: UnsafeMutableRawPointer
    @usableFromInline let mallocFunction: MallocFunction
    @usableFromInline let freeFunction: FreeFunction

    /// The strategy name used on the command line and in result rows.
    public var name: String { kind.rawValue }

    /// `size` bytes from this allocator, or nil when it is out of memory.
    @inlinable
    public func allocate(size: Int) -> UnsafeMutableRawPointer? { mallocFunction(size) }

    /// Returns `object`, which must come from this allocator's `allocate(size:)`, on any thread.
    @inlinable
    public func free(_ object: UnsafeMutableRawPointer) { freeFunction(object) }

    /// `name` resolved from this library's handle (e.g. `mallctl`), for tests and diagnostics.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        DynamicLibrary(handle: libraryHandle).symbol(name)
    }

    /// The file the allocation entry point was loaded from, e.g. `/lib/x86_64-linux-gnu/libjemalloc.so.2`.
    public var libraryPath: String {
        DynamicLibrary.objectPath(containing: unsafeBitCast(mallocFunction, to: UnsafeRawPointer.self)) ?? kind.soname
    }

    /// Loads `kind` from its Debian soname. Throws `SystemAllocatorLoadError`, whose description
    /// is one line naming the package to install.
    public static func load(_ kind: SystemAllocatorKind) throws -> SystemAllocator {
        try load(kind, soname: kind.soname)
    }

    /// Loads `kind` from `soname` (a path or another soname for the same library).
    public static func load(_ kind: SystemAllocatorKind, soname: String) throws -> SystemAllocator {
        let library: DynamicLibrary
        switch DynamicLibrary.open(soname) {
        case .success(let opened): library = opened
        case .failure(let error) where error.message.contains("static TLS"):
            throw SystemAllocatorLoadError.staticTLSExhausted(kind: kind, soname: soname, tunable: DynamicLibrary.staticTLSTunable)
        case .failure(let error):
            throw SystemAllocatorLoadError.notInstalled(kind: kind, soname: soname, reason: error.message)
        }
        func resolve(_ symbol: String) throws -> UnsafeMutableRawPointer {
            guard let address = library.symbol(symbol) else {
                throw SystemAllocatorLoadError.missingSymbol(kind: kind, soname: soname, symbol: symbol)
            }
            return address
        }
        let identity = try resolve(kind.identitySymbol)
        let mallocAddress = try resolve(kind.mallocSymbol)
        let freeAddress = try resolve(kind.freeSymbol)
        // dlsym searches the library's dependencies too: an unprefixed name missing from the
        // library itself would silently come from libc. Both must live where the identity symbol does.
        let home = DynamicLibrary.objectBase(containing: identity)
        for (symbol, address) in [(kind.mallocSymbol, mallocAddress), (kind.freeSymbol, freeAddress)] {
            guard DynamicLibrary.objectBase(containing: address) == home else {
                let foundIn = DynamicLibrary.objectPath(containing: address) ?? "an unknown object"
                throw SystemAllocatorLoadError.wrongObject(kind: kind, soname: soname, symbol: symbol, foundIn: foundIn)
            }
        }
        return SystemAllocator(
            kind: kind, libraryHandle: library.handle,
            mallocFunction: unsafeBitCast(mallocAddress, to: MallocFunction.self),
            freeFunction: unsafeBitCast(freeAddress, to: FreeFunction.self))
    }
}
