import BPFModel
import Results
import Strategies

/// What each strategy should show in each scenario under each reuse rule, with a one-line
/// reason per cell. The runner compares the model's verdict with this table; it never
/// produces the verdict.
public enum ScenarioExpectations {
    public struct Cell: Sendable, Equatable {
        public let kind: VerdictKind
        public let rationale: String
    }

    /// The expected verdict class.
    public static func expected(_ scenario: Scenario, _ strategy: StrategyKind, _ rule: ReuseRule) -> VerdictKind {
        cell(scenario, strategy, rule).kind
    }

    /// Why, in one line.
    public static func rationale(_ scenario: Scenario, _ strategy: StrategyKind, _ rule: ReuseRule) -> String {
        cell(scenario, strategy, rule).rationale
    }

    public static func cell(_ scenario: Scenario, _ strategy: StrategyKind, _ rule: ReuseRule) -> Cell {
        switch scenario {
        case .mapInMapEscape: return mapInMapEscape(strategy, rule)
        case .concurrentWalk: return concurrentWalk(strategy, rule)
        case .pinnedMap: return pinnedMap(strategy, rule)
        case .inFlightAtKill: return inFlightAtKill(strategy, rule)
        case .remoteLastFree: return remoteLastFree(strategy, rule)
        case .movedBehindWalk: return movedBehindWalk(strategy, rule)
        case .lastPutInNMI: return lastPutInNMI(strategy, rule)
        case .pausedPutAtKill: return pausedPutAtKill(strategy, rule)
        }
    }

    private static func safe(_ why: String) -> Cell { Cell(kind: .safe, rationale: why) }
    private static func uaf(_ why: String) -> Cell { Cell(kind: .useAfterFree, rationale: why) }

    private static let immortal = "bpf_global_ma is immortal: no owner goes away, nothing can outlive it"
    private static let parkedReclaimed = "parked units go back before any destroy (rcu_barrier)"

    private static func mapInMapEscape(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("the object's own reference on the shared count keeps the allocator until the inner map frees it")
        case (.percpuRef, _): return safe("the object holds a percpu_ref; after the kill its atomic-mode put, at inner map free, releases")
        case (.lazy, .immediate): return uaf("no used_maps path reaches the inner map: the walk finds nothing, the allocator dies with its map, the inner fd's close frees into it")
        case (.lazy, .rcu): return uaf("RCU delays reuse, not lifetime: the walk still cannot reach the inner map, and the late drop reads a header pointing into a destroyed allocator")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy (fixed-size path): the walk misses the inner map, the object is freed into a dead allocator")
        case (.kmemCache, .rcu): return uaf("lifetime as lazy: the walk misses the inner map whatever the reuse rule")
        case (.global, _): return safe(immortal)
        case (.hybrid, _): return safe("the walk misses the object so the kill is not delayed, but the object's percpu_ref holds the allocator until its free")
        }
    }

    private static func concurrentWalk(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("no unload walk to race; each racing free drops its own reference")
        case (.percpuRef, _): return safe("no unload walk; racing puts straddle the mode switch and are folded exactly after the grace period")
        case (.lazy, .immediate): return uaf("the walk reads the allocator from the header of an object another CPU just xchg'd out and freed (Kumar's hole 1)")
        case (.lazy, .rcu): return safe("the freed unit stays parked while the walk's read-side section lasts, so its header still names the live allocator (inc-not-zero)")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy: the same unload walk reads a freed object's header")
        case (.kmemCache, .rcu): return safe("as lazy under rcu: the grace period waits for the walk, the header read hits a parked, intact unit")
        case (.global, _): return safe(immortal + "; no walk")
        case (.hybrid, .immediate): return uaf("hybrid still walks to fill used_allocators, so its header read races the free exactly as lazy's")
        case (.hybrid, .rcu): return safe("hybrid's walk reads headers inside a read-side section like lazy's: the parked unit is intact")
        }
    }

    private static func pinnedMap(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        let tail = r == .rcu ? "; " + parkedReclaimed : ""
        switch s {
        case .atomic: return safe("stored objects hold references; the pin keeps the map, whose free drops the last one" + tail)
        case .percpuRef: return safe("stored objects hold the percpu_ref; frees after the kill are atomic-mode puts, the last releases" + tail)
        case .lazy: return safe("the walk finds every stored object in the used (pinned) map: used_allocators keeps the allocator until that map is freed" + tail)
        case .kmemCache: return safe("lifetime as lazy: used_allocators of the pinned map keeps the allocator" + tail)
        case .global: return safe(immortal)
        case .hybrid: return safe("the walk's used_allocators entry delays the kill until the pinned map is freed; objects hold the percpu_ref" + tail)
        }
    }

    private static func inFlightAtKill(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("each object in the run holds a reference; the run's last drop, after the kill, releases (deferred to the run's end)")
        case (.percpuRef, _): return safe("the kill's grace period waits for the run: drops before and during it are all counted, the fold then releases")
        case (.lazy, .immediate): return uaf("objects the run took out are invisible to the walk: the allocator dies with its map while the run holds them, its drops land in it")
        case (.lazy, .rcu): return safe("the destroy waits a grace period first, which waits for the run (one read-side section): every drop lands before it")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy: the run's objects are missed by the walk and dropped into the dead allocator")
        case (.kmemCache, .rcu): return safe("as lazy under rcu: the destroy's grace period waits for the run holding the objects")
        case (.global, _): return safe(immortal)
        case (.hybrid, _): return safe("the walk finds nothing so the kill is not delayed, but each object the run holds keeps a percpu_ref")
        }
    }

    private static func remoteLastFree(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        let tail = r == .rcu ? "; " + parkedReclaimed : ""
        switch s {
        case .atomic: return safe("the last free, on the other CPU, drops the last reference and destroys (deferred out of the program)" + tail)
        case .percpuRef: return safe("the remote puts run in atomic mode after the kill; the last reaches zero and releases" + tail)
        case .lazy: return safe("the walk found the objects in the used map: used_allocators keeps the allocator until the map is freed" + tail)
        case .kmemCache: return safe("lifetime as lazy: used_allocators keeps the allocator past the remote frees" + tail)
        case .global: return safe(immortal)
        case .hybrid: return safe("used_allocators delays the kill to map free; the fold of CPU 0's gets and CPU 1's puts reaches zero" + tail)
        }
    }

    private static func movedBehindWalk(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("no walk; the moved object's reference keeps the allocator until the map frees it")
        case (.percpuRef, _): return safe("no walk; the moved object's percpu_ref outlives the kill, its put at map free releases")
        case (.lazy, .immediate): return uaf("the object moves into a slot the walk already passed: no used_allocators entry, the allocator dies at unload, map free frees into it")
        case (.lazy, .rcu): return uaf("nothing is freed during the walk, so RCU has nothing to protect: the walk still never sees the moved object")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy: the moved object is missed and later freed into the dead allocator")
        case (.kmemCache, .rcu): return uaf("lifetime as lazy: a read-side section cannot make the walk see an object moved behind it")
        case (.global, _): return safe(immortal)
        case (.hybrid, .immediate): return uaf("the first walk misses the object and the kill runs; the moving program's own unload walk then finds it and refcount_inc's an owner count at zero")
        case (.hybrid, .rcu): return safe("inc-not-zero refuses the killed allocator in the second walk; the object's own percpu_ref keeps it until map free")
        }
    }

    private static func lastPutInNMI(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("the kill drops the base reference at once; the NMI run's last drop reaches zero and the release is deferred out of the NMI (irq_work)")
        case (.percpuRef, _): return safe("the kill's grace period waits for the NMI run; its drops are atomic-mode puts, the fold after it releases in process context")
        case (.lazy, .immediate): return uaf("lazy never destroys at a put, but the run's objects are out of the map at unload: the allocator dies while the NMI holds them, as in #4")
        case (.lazy, .rcu): return safe("the destroy waits a grace period, which waits for the NMI run: its drops land first, as in #4 under rcu")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy: the objects the NMI run holds are dropped into the destroyed allocator")
        case (.kmemCache, .rcu): return safe("as lazy under rcu: the destroy's grace period waits for the NMI run")
        case (.global, _): return safe(immortal + "; no release at a put")
        case (.hybrid, _): return safe("the walk finds the map empty, the kill is percpu_ref's: its grace period waits for the NMI run and the fold releases")
        }
    }

    private static func pausedPutAtKill(_ s: StrategyKind, _ r: ReuseRule) -> Cell {
        switch (s, r) {
        case (.atomic, _): return safe("no mode and no window: the paused free still holds its reference, the kill drops only the base one")
        case (.percpuRef, _): return safe("the kill's grace period waits for the paused reader, so its per-CPU store lands before the fold")
        case (.lazy, .immediate): return uaf("nothing holds the allocator for an object in flight: the destroy runs during the pause, the free completes into it")
        case (.lazy, .rcu): return safe("the destroy waits a grace period first, which waits for the paused free's read-side section")
        case (.kmemCache, .immediate): return uaf("lifetime as lazy: destroyed while the free is paused")
        case (.kmemCache, .rcu): return safe("as lazy under rcu: the destroy's grace period waits for the paused free")
        case (.global, _): return safe(immortal)
        case (.hybrid, _): return safe("the walk finds nothing, the kill comes at once: as percpu-ref, its grace period covers the paused store")
        }
    }
}
