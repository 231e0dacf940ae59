/// The allocator the process itself uses: what an undefined reference to `malloc` resolves to.
///
/// System-allocator rows must be measured in a process whose own allocator is glibc's, untouched
/// by the libraries we load (and by no malloc interposer such as package-benchmark's).
public enum ProcessAllocator {
    /// The file that provides the process's `malloc`, e.g. `/lib/x86_64-linux-gnu/libc.so.6`.
    public static var mallocLibraryPath: String? {
        guard let address = DynamicLibrary.processSymbol("malloc") else { return nil }
        return DynamicLibrary.objectPath(containing: address)
    }

    /// True when the process's `malloc` and `free` both live in glibc (the object that defines
    /// `gnu_get_libc_version`).
    public static var isGlibc: Bool {
        guard let libc = DynamicLibrary.processSymbol("gnu_get_libc_version"),
              let malloc = DynamicLibrary.processSymbol("malloc"),
              let free = DynamicLibrary.processSymbol("free")
        else { return false }
        let glibc = DynamicLibrary.objectBase(containing: libc)
        return glibc != nil && DynamicLibrary.objectBase(containing: malloc) == glibc
            && DynamicLibrary.objectBase(containing: free) == glibc
    }
}
