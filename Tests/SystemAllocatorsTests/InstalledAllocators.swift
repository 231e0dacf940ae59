import SystemAllocators

/// What loads on this machine, loaded once for all tests (libraries are never unloaded anyway).
let installed = SystemAllocator.available()

func isInstalled(_ kind: SystemAllocatorKind) -> Bool { installed.allocator(kind) != nil }

/// A C entry point resolved from `allocator`'s own library handle, typed as `type`.
func entryPoint<Function>(_ name: String, of allocator: SystemAllocator, as type: Function.Type) -> Function? {
    allocator.symbol(name).map { unsafeBitCast($0, to: type) }
}
