import Strategies

/// What each strategy should show in each scenario, with a one-line reason per cell. The
/// runner compares the model's verdict with this table; it never produces the verdict.
public enum ScenarioExpectations {
    public struct Cell: Sendable, Equatable {
        public let kind: VerdictKind
        public let rationale: String
    }

    /// The expected verdict class.
    public static func expected(_ scenario: Scenario, _ strategy: StrategyKind) -> VerdictKind {
        cell(scenario, strategy).kind
    }

    /// Why, in one line.
    public static func rationale(_ scenario: Scenario, _ strategy: StrategyKind) -> String {
        cell(scenario, strategy).rationale
    }

    public static func cell(_ scenario: Scenario, _ strategy: StrategyKind) -> Cell {
        switch scenario {
        case .mapInMapEscape: return mapInMapEscape(strategy)
        case .concurrentWalk: return concurrentWalk(strategy)
        case .pinnedMap: return pinnedMap(strategy)
        case .inFlightAtKill: return inFlightAtKill(strategy)
        case .remoteLastFree: return remoteLastFree(strategy)
        }
    }

    private static func safe(_ why: String) -> Cell { Cell(kind: .safe, rationale: why) }
    private static func uaf(_ why: String) -> Cell { Cell(kind: .useAfterFree, rationale: why) }

    private static let immortal = "bpf_global_ma is immortal: no owner goes away, nothing can outlive it"

    private static func mapInMapEscape(_ s: StrategyKind) -> Cell {
        switch s {
        case .atomic: return safe("the object's own reference on the shared count keeps the allocator until the inner map frees it")
        case .percpuRef: return safe("the object holds a percpu_ref; after the kill its atomic-mode put, at inner map free, releases")
        case .lazy: return uaf("no used_maps path reaches the inner map: the walk finds nothing, the allocator dies with its map, the inner fd's close frees into it")
        case .kmemCache: return uaf("lifetime as lazy (fixed-size path): the walk misses the inner map, the object is freed into a dead allocator")
        case .global: return safe(immortal)
        case .hybrid: return safe("the walk misses the object so the kill is not delayed, but the object's percpu_ref holds the allocator until its free")
        }
    }

    private static func concurrentWalk(_ s: StrategyKind) -> Cell {
        switch s {
        case .atomic: return safe("no unload walk to race; each racing free drops its own reference")
        case .percpuRef: return safe("no unload walk; racing puts straddle the mode switch and are folded exactly after the grace period")
        case .lazy: return uaf("the walk reads the allocator from the header of an object another CPU just xchg'd out and freed (Kumar's hole 1)")
        case .kmemCache: return uaf("lifetime as lazy: the same unload walk reads a freed object's header")
        case .global: return safe(immortal + "; no walk")
        case .hybrid: return uaf("hybrid still walks to fill used_allocators, so its header read races the free exactly as lazy's")
        }
    }

    private static func pinnedMap(_ s: StrategyKind) -> Cell {
        switch s {
        case .atomic: return safe("stored objects hold references; the pin keeps the map, whose free drops the last one")
        case .percpuRef: return safe("stored objects hold the percpu_ref; frees after the kill are atomic-mode puts, the last releases")
        case .lazy: return safe("the walk finds every stored object in the used (pinned) map: used_allocators keeps the allocator until that map is freed")
        case .kmemCache: return safe("lifetime as lazy: used_allocators of the pinned map keeps the allocator")
        case .global: return safe(immortal)
        case .hybrid: return safe("the walk's used_allocators entry delays the kill until the pinned map is freed; objects hold the percpu_ref")
        }
    }

    private static func inFlightAtKill(_ s: StrategyKind) -> Cell {
        switch s {
        case .atomic: return safe("each in-flight object holds a reference; the last free, after the kill, destroys")
        case .percpuRef: return safe("frees before, during and after the kill's grace period are all counted; the last put releases")
        case .lazy: return uaf("objects outside any map at unload are invisible to the walk: the allocator dies with its map, the in-flight frees land in it")
        case .kmemCache: return uaf("lifetime as lazy: in-flight objects are missed by the walk and freed into the dead allocator")
        case .global: return safe(immortal)
        case .hybrid: return safe("the walk finds nothing so the kill is not delayed, but each in-flight object holds a percpu_ref")
        }
    }

    private static func remoteLastFree(_ s: StrategyKind) -> Cell {
        switch s {
        case .atomic: return safe("the last free, on the other CPU, drops the last reference and destroys there")
        case .percpuRef: return safe("the remote puts run in atomic mode after the kill; the last reaches zero and releases")
        case .lazy: return safe("the walk found the objects in the used map: used_allocators keeps the allocator until the map is freed")
        case .kmemCache: return safe("lifetime as lazy: used_allocators keeps the allocator past the remote frees")
        case .global: return safe(immortal)
        case .hybrid: return safe("used_allocators delays the kill to map free; the fold of CPU 0's gets and CPU 1's puts reaches zero")
        }
    }
}
