/// Generic code to run once per strategy, specialized for it: `StrategyKind.accept` calls
/// `visit(S.self)` with the concrete type, so everything inside is free of existentials.
public protocol StrategyVisitor {
    associatedtype Result
    func visit<S: LifetimeStrategy>(_ type: S.Type) throws -> Result
}

/// The six lifetime strategies, by their command-line names.
public enum StrategyKind: String, CaseIterable, Sendable {
    case atomic = "atomic"
    case percpuRef = "percpu-ref"
    case lazy = "lazy"
    case kmemCache = "kmem-cache"
    case global = "global"
    case hybrid = "hybrid"

    /// Calls `visitor.visit` with this kind's strategy type.
    public func accept<V: StrategyVisitor>(_ visitor: V) throws -> V.Result {
        switch self {
        case .atomic: return try visitor.visit(AtomicStrategy.self)
        case .percpuRef: return try visitor.visit(PercpuRefStrategy.self)
        case .lazy: return try visitor.visit(LazyStrategy.self)
        case .kmemCache: return try visitor.visit(KmemCacheStrategy.self)
        case .global: return try visitor.visit(GlobalStrategy.self)
        case .hybrid: return try visitor.visit(HybridStrategy.self)
        }
    }

    /// The strategy type's `summary`/`whyNoAllocationAfterKill`, without visiting.
    public var summary: String { try! accept(SummaryVisitor()).summary }
    public var whyNoAllocationAfterKill: String { try! accept(SummaryVisitor()).afterKill }

    private struct SummaryVisitor: StrategyVisitor {
        func visit<S: LifetimeStrategy>(_: S.Type) -> (summary: String, afterKill: String) {
            (S.summary, S.whyNoAllocationAfterKill)
        }
    }
}
