import Results
import Strategies

/// A negative control: one scenario replayed under a strategy that is safe there, with a bug
/// planted, which must yield the fault it plants under every reuse rule. A control that comes
/// out safe means the checker cannot see that fault, and every `safe` it reports is suspect.
public struct ScenarioControl: Sendable, Equatable {
    public let scenario: Scenario
    public let strategy: StrategyKind
    public let plant: Plant
    /// The fault the plant must produce.
    public let fault: VerdictKind
    /// Why the plant produces that fault, in one line.
    public let why: String

    /// One control per scenario, in scenario order; every verdict kind but `safe` is produced.
    public static let all: [ScenarioControl] = Scenario.allCases.map(control(for:))

    public static func control(for scenario: Scenario) -> ScenarioControl {
        switch scenario {
        case .mapInMapEscape:
            return ScenarioControl(scenario: scenario, strategy: .hybrid, plant: .skipObjectReference, fault: .useAfterFree,
                                   why: "without the object's get the kill folds to zero and destroys; the inner map's free then frees into it")
        case .concurrentWalk:
            return ScenarioControl(scenario: scenario, strategy: .lazy, plant: .walkOutsideReadSection, fault: .useAfterFree,
                                   why: "a walk outside its read-side section does not hold the grace period: the unit is reused before the header read")
        case .pinnedMap:
            return ScenarioControl(scenario: scenario, strategy: .lazy, plant: .skipWalk, fault: .useAfterFree,
                                   why: "no walk, no used_allocators entry: the allocator dies with its map, the pinned objects are freed into it")
        case .inFlightAtKill:
            // Not the missing get any more: inside one run the release it brings forward is
            // deferred to the run's end, after the run's last drop, so nothing faults.
            return ScenarioControl(scenario: scenario, strategy: .atomic, plant: .inlineDestroy, fault: .unsafeContext,
                                   why: "the drain run's last drop reaches zero and the release destroys inside the run instead of deferring")
        case .remoteLastFree:
            return ScenarioControl(scenario: scenario, strategy: .atomic, plant: .skipOneFree, fault: .leak,
                                   why: "an object taken out and never freed keeps its reference: the allocator is never destroyed")
        case .movedBehindWalk:
            return ScenarioControl(scenario: scenario, strategy: .hybrid, plant: .skipObjectReference, fault: .useAfterFree,
                                   why: "hybrid's safety here is the object's own percpu_ref: without it the missed object outlives the allocator")
        case .lastPutInNMI:
            // atomic, not percpu-ref: in one NMI run percpu-ref's last reference is the kill's
            // fold (its grace period waits for the NMI), so no put in the NMI releases.
            return ScenarioControl(scenario: scenario, strategy: .atomic, plant: .inlineDestroy, fault: .unsafeContext,
                                   why: "the release at the last put destroys inside the NMI instead of deferring")
        case .pausedPutAtKill:
            return ScenarioControl(scenario: scenario, strategy: .percpuRef, plant: .putOutsideReadSection, fault: .leak,
                                   why: "broken percpu_ref: the grace period ends without the paused put, the fold misses its store, the count never reaches zero")
        }
    }
}
