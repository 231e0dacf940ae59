/// Which system allocators load on this machine, and a one-line note for each that does not.
public struct SystemAllocatorAvailability: Sendable {
    /// The loaded allocators, in `SystemAllocatorKind.allCases` order.
    public var allocators: [SystemAllocator]
    /// Why each missing allocator was skipped.
    public var skipped: [SystemAllocatorLoadError]

    /// One line per skipped allocator, naming the Debian package to install.
    public var notes: [String] { skipped.map(\.description) }

    public func allocator(_ kind: SystemAllocatorKind) -> SystemAllocator? {
        allocators.first { $0.kind == kind }
    }
}

extension SystemAllocator {
    /// Tries every kind in `kinds`; what is not installed becomes a note, never a crash.
    public static func available(_ kinds: [SystemAllocatorKind] = SystemAllocatorKind.allCases) -> SystemAllocatorAvailability {
        var result = SystemAllocatorAvailability(allocators: [], skipped: [])
        for kind in kinds {
            do {
                result.allocators.append(try load(kind))
            } catch let error as SystemAllocatorLoadError {
                result.skipped.append(error)
            } catch {
                preconditionFailure("load throws only SystemAllocatorLoadError, got \(error)")
            }
        }
        return result
    }
}
