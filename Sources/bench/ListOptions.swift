import ArgumentParser
import Results
import Runner
import Strategies

// What each list option of `bench` accepts, with today's words for a bad name.

extension StrategyKind: ExpressibleByArgument {}
extension WorkloadKind: ExpressibleByArgument {}

/// `bench run --strategy`: strategies and references.
enum RunSubjects: StrategyNames {
    typealias Element = SubjectName
    static let help = "Comma-separated strategies and references, or all."
}

/// `bench footprint --strategy`: the designs whose ownership is measured.
enum Designs: StrategyNames {
    typealias Element = StrategyKind
    static let help = "Comma-separated designs, or all."
    static func unknown(_ name: String, valid: String) -> String { "unknown design '\(name)' (valid: \(valid))" }
}

/// `bench scenarios --strategy`: lifetime strategies only.
enum LifetimeStrategies: StrategyNames {
    typealias Element = StrategyKind
    static let help = "Comma-separated strategies, or all."
    static func unknown(_ name: String, valid: String) -> String {
        "unknown strategy '\(name)' for scenarios (valid: \(valid); system allocators have no lifetime to check)"
    }
}

/// `bench run --workload`.
enum Workloads: ListOption {
    typealias Element = WorkloadKind
    static let noun = "workload"
}

/// `--format` of the commands that write result files.
enum Formats: ListOption {
    typealias Element = ResultFormat
    static let noun = "format"
    static let acceptsAll = false
}
