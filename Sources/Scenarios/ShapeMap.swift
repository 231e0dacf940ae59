/// A map of a scenario's BPF shape.
public struct ShapeMap: Sendable, Equatable {
    /// The name the steps use (`alloc_map`, `values`).
    public let name: String
    public let type: MapType
    /// Values (entries); a randomized scenario draws the count per iteration.
    public let entries: EntryCount
    /// The value's kptr fields (none for an allocator map or an outer map).
    public let kptrFields: [KptrField]

    public init(name: String, type: MapType, entries: EntryCount, kptrFields: [KptrField]) {
        self.name = name
        self.type = type
        self.entries = entries
        self.kptrFields = kptrFields
    }
}

public enum MapType: Sendable, Equatable, CustomStringConvertible {
    /// `BPF_MAP_TYPE_ALLOCATOR` of the 2022 proposal (never landed): owns a per-program allocator.
    case allocator
    case array
    /// `BPF_MAP_TYPE_ARRAY_OF_MAPS` whose values are the named inner map's type.
    case arrayOfMaps(inner: String)

    public var description: String {
        switch self {
        case .allocator: return "BPF_MAP_TYPE_ALLOCATOR (2022 proposal)"
        case .array: return "BPF_MAP_TYPE_ARRAY"
        case .arrayOfMaps(let inner): return "BPF_MAP_TYPE_ARRAY_OF_MAPS (inner: \(inner))"
        }
    }
}

public enum EntryCount: Sendable, Equatable, CustomStringConvertible {
    case fixed(Int)
    case random(ClosedRange<Int>)

    public var description: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .random(let r): return "\(r.lowerBound)–\(r.upperBound) (drawn per iteration)"
        }
    }
}

/// A kptr field of a map value: `struct node __kptr *kptr` (2022: `__kptr_local`), holding an
/// object from `bpf_obj_alloc`.
public struct KptrField: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let pointee: String

    public static let node = KptrField(field: "kptr", pointee: "struct node")

    public var description: String { "\(pointee) __kptr *\(field)" }
}
