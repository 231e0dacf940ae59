import Atomics
import BPFModel
import Strategies

/// Where the kill is, shared by the coordinator (which unloads and kills) and a helper run that
/// holds objects across it.
final class KillStage: @unchecked Sendable {
    /// 0 before, 1 the run holds its objects, 2 the kill is running, 3 it returned.
    let value = ManagedAtomic<Int>(0)

    var now: Int { value.load(ordering: .acquiring) }
    func set(_ stage: Int) { value.store(stage, ordering: .releasing) }
    func await(_ stage: Int) { Spin.until { now >= stage } }

    /// Inside a run (one read-side section): waits until the kill returned or — since a reader
    /// cannot wait for a grace period that waits for it — until the kill is seen waiting for
    /// one (percpu_ref: ATOMIC set; a destroy: a grace period under way), then lingers there:
    /// a grace period that did not wait for this run would end meanwhile.
    func awaitKillEnd<S: LifetimeStrategy>(_: S.Type, _ lifetime: AllocatorLifetime, _ checker: LifetimeChecker) {
        Spin.until {
            if now == 3 { return true }
            return S.usesPercpuRef ? lifetime.percpuRef.isAtomic : checker.gracePeriodWaiters.load(ordering: .acquiring) > 0
        }
        Spin.linger(nanoseconds: ScenarioModel.lingerNanoseconds) {
            now == 3 || lifetime.isDestroyed || (S.usesPercpuRef && lifetime.percpuRef.isFolded)
        }
    }
}
