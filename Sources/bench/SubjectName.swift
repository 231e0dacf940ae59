import ArgumentParser
import KernelAllocator
import Results
import Strategies
import SystemAllocators

/// A name `bench run --strategy` accepts: a lifetime strategy, a system allocator, the two
/// floors or a kernel subject. Only a name: a system allocator is loaded when the run starts.
enum SubjectName: Hashable, CaseIterable, RawRepresentable, ExpressibleByArgument {
    case strategy(StrategyKind)
    case system(SystemAllocatorKind)
    case freelist
    case noop
    case kernel(KernelSubjectKind)

    /// In the order `bench run --help` and the "valid:" list name them.
    static var allCases: [SubjectName] {
        StrategyKind.allCases.map(strategy) + SystemAllocatorKind.allCases.map(system) + [.freelist, .noop]
            + KernelSubjectKind.allCases.map(kernel)
    }

    init?(rawValue: String) {
        guard let name = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = name
    }

    var rawValue: String {
        switch self {
        case .strategy(let k): return k.rawValue
        case .system(let k): return k.rawValue
        case .freelist: return "freelist"
        case .noop: return "noop"
        case .kernel(let k): return k.rawValue
        }
    }
}
