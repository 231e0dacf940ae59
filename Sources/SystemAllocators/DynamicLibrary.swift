import CDynamicLoader
import Glibc

/// A shared library opened with `RTLD_NOW | RTLD_LOCAL`: its symbols stay out of the global scope,
/// so a library that defines `malloc` does not become the process allocator. Never closed: objects
/// it allocated may outlive any one caller, and unloading an allocator under them is fatal.
struct DynamicLibrary {
    let handle: UnsafeMutableRawPointer

    /// Opens `soname`, or returns the `dlerror` text. The corresponding C function is `dlopen`.
    static func open(_ soname: String) -> Result<DynamicLibrary, DynamicLibraryError> {
        _ = dlerror()  // clear a stale message
        guard let handle = dlopen(soname, CDynamicLoader_local_flags()) else {
            return .failure(DynamicLibraryError(message: lastError()))
        }
        return .success(DynamicLibrary(handle: handle))
    }

    /// The address of `name`, searched in this library first and then its dependencies.
    /// The corresponding C function is `dlsym`.
    func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }

    /// The path of the loaded object that contains `address`. The corresponding C function is `dladdr`.
    static func objectPath(containing address: UnsafeRawPointer) -> String? {
        CDynamicLoader_object_path(address).map { String(cString: $0) }
    }

    /// The load base of the object that contains `address`. The corresponding C function is `dladdr`.
    static func objectBase(containing address: UnsafeRawPointer) -> UnsafeRawPointer? {
        CDynamicLoader_object_base(address)
    }

    /// `name` as the process resolves an undefined reference to it (`RTLD_DEFAULT`).
    static func processSymbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(CDynamicLoader_default_handle(), name)
    }

    /// What GLIBC_TUNABLES needs for libraries with initial-exec TLS (see CDynamicLoader.h).
    static var staticTLSTunable: String { String(cString: CDynamicLoader_static_tls_tunable()) }

    private static func lastError() -> String {
        guard let message = dlerror() else { return "unknown dlopen error" }
        return String(cString: message)
    }
}

struct DynamicLibraryError: Error {
    let message: String
}
