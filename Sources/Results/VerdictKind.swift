/// The class of a verdict, for expectation tables and CSV (`metric=verdict`).
public enum VerdictKind: String, Sendable, CaseIterable {
    case safe
    case leak
    case useAfterFree = "use-after-free"
    /// An allocator destroyed inline where sleeping and locks are forbidden (an NMI, a BPF
    /// program, a read-side section): the destroy waits for RCU callbacks and takes locks, so
    /// in the kernel it deadlocks or sleeps in atomic context.
    case unsafeContext = "unsafe-context"

    /// Ordering for "worst observed": safe < leak < use-after-free < unsafe-context (the CSV
    /// codes; a destroy that sleeps in an NMI hangs the CPU).
    /// The CSV `value` of a verdict row: 0 safe, 1 leak, 2 use-after-free, 3 unsafe-context
    /// (worse is higher).
    public var code: Double { Double(severity) }

    /// Short cell text for narrow tables.
    public var short: String {
        switch self {
        case .safe: "safe"
        case .leak: "leak"
        case .useAfterFree: "UAF"
        case .unsafeContext: "ctx"
        }
    }

    public var severity: Int {
        switch self {
        case .safe: return 0
        case .leak: return 1
        case .useAfterFree: return 2
        case .unsafeContext: return 3
        }
    }
}

/// What the checked model observed for one (scenario, strategy): derived only from checker
/// events and the allocators' exact accounting (destroy counts, destroy reports), never from
/// strategy flags.
public enum Verdict: Equatable, Sendable, CustomStringConvertible {
    /// Every allocator destroyed exactly once, nothing leaked, no use-after-free event.
    case safe
    /// Objects still allocated when their allocator was destroyed (or never freed at all):
    /// `bytes` counts each object's unit size (header included), exact per size class.
    case leak(objects: Int, bytes: Int)
    /// An object freed into, or an allocator touched after, its destruction (including a
    /// double destroy, a free of an object not live, and the unload walk reading a freed
    /// object's header).
    case useAfterFree
    /// A destroy ran inline where sleeping is forbidden.
    case unsafeContext

    /// The verdict a `label` names (its inverse: a results CSV keeps verdicts as labels).
    public init?(label: String) {
        switch label {
        case "safe": self = .safe
        case "use-after-free": self = .useAfterFree
        case "unsafe-context": self = .unsafeContext
        default:
            let parts = label.split(whereSeparator: { " (),".contains($0) })
            guard parts.count == 5, parts[0] == "leak", parts[2] == "objects", parts[4] == "B",
                  let objects = Int(parts[1]), let bytes = Int(parts[3]) else { return nil }
            self = .leak(objects: objects, bytes: bytes)
        }
    }

    /// "safe", "leak (3 objects, 192 B)", "use-after-free", "unsafe-context".
    public var label: String {
        switch self {
        case .safe: return "safe"
        case .leak(let objects, let bytes): return "leak (\(objects) objects, \(bytes) B)"
        case .useAfterFree: return "use-after-free"
        case .unsafeContext: return "unsafe-context"
        }
    }

    public var kind: VerdictKind {
        switch self {
        case .safe: return .safe
        case .leak: return .leak
        case .useAfterFree: return .useAfterFree
        case .unsafeContext: return .unsafeContext
        }
    }

    public var description: String { label }

    /// The worse of two verdicts (by severity; between leaks, the larger).
    public static func worst(_ a: Verdict, _ b: Verdict) -> Verdict {
        if a.kind.severity != b.kind.severity { return a.kind.severity > b.kind.severity ? a : b }
        if case .leak(let ao, let ab) = a, case .leak(let bo, let bb) = b {
            return (bo, bb) > (ao, ab) ? b : a
        }
        return a
    }
}
