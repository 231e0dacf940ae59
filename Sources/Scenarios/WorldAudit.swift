import BPFModel
import MemAlloc
import Results
import Strategies

/// The verdict of one checked world at the end of a script, computed from what the model
/// observed: the checker's events (the first use-after-free class event wins), every
/// allocator's destroy count (exactly one is required), and exact leak accounting (destroy
/// reports per size class; for an allocator never destroyed, the objects it still has out).
///
/// Call it after every fd is closed, `tearDownGlobal()` ran and every worker that touched
/// the world is synchronized with the caller (joined, or its completion acquired).
public struct WorldAudit: Sendable, Equatable {
    public var verdict: Verdict
    /// One line: the first offending event, or a summary for `safe`.
    public var evidence: String
    /// Allocators the world created.
    public var allocators: Int
    /// Destroys attempted, over all allocators (safe: equal to `allocators`).
    public var destroys: Int
    public var leakedObjects: Int
    public var leakedBytes: Int
    /// What the script allocated (as told to `audit`).
    public var objectsAllocated: Int

    /// Audits `world` (which must be checked). `objectsAllocated` is what the script
    /// allocated, for the safe summary.
    public static func audit<S: LifetimeStrategy>(_ world: BPFWorld<S>, objectsAllocated: Int) -> WorldAudit {
        guard let checker = world.checker else { preconditionFailure("WorldAudit needs a checked world") }
        let lifetimes = world.allocatorLifetimes
        let events = checker.events
        var audit = WorldAudit(verdict: .safe, evidence: "", allocators: lifetimes.count,
                               destroys: lifetimes.reduce(0) { $0 + $1.destroyCount }, leakedObjects: 0, leakedBytes: 0,
                               objectsAllocated: objectsAllocated)

        // Leak accounting, exact per class.
        var leakEvidence: String? = nil
        for lifetime in lifetimes {
            if let report = lifetime.destroyReport {
                audit.leakedObjects += report.leakedObjects
                audit.leakedBytes += report.leakedBytes
            } else if !lifetime.isDestroyed {
                let stats = lifetime.allocator.stats()
                let bytes = stats.classes.reduce(0) { $0 + $1.outstanding * $1.unitSize }
                audit.leakedObjects += stats.outstanding
                audit.leakedBytes += bytes
                if leakEvidence == nil {
                    leakEvidence = stats.outstanding > 0
                        ? "\(lifetime) never destroyed: \(stats.outstanding) objects (\(bytes) B) still allocated"
                        : "\(lifetime) never destroyed (no owner released it): \(stats.bytesHeld) B of slabs held"
                }
                if stats.outstanding == 0 { audit.leakedBytes += stats.bytesHeld }
            }
        }

        if let context = events.first(where: \.isContextViolation) {
            audit.verdict = .unsafeContext
            audit.evidence = context.description
        } else if let first = checker.firstViolation {
            audit.verdict = .useAfterFree
            audit.evidence = first.description
        } else if let twice = lifetimes.first(where: { $0.destroyCount > 1 }) {
            audit.verdict = .useAfterFree
            audit.evidence = "\(twice) destroyed \(twice.destroyCount) times"
        } else if audit.leakedObjects > 0 || lifetimes.contains(where: { !$0.isDestroyed }) {
            audit.verdict = .leak(objects: audit.leakedObjects, bytes: audit.leakedBytes)
            let firstLeakEvent = events.first { if case .allocatorDestroyedWithLiveObjects = $0 { return true } else { return false } }
            audit.evidence = (firstLeakEvent?.description ?? leakEvidence ?? "objects leaked")
                + " — \(audit.leakedObjects) objects, \(audit.leakedBytes) B"
        } else {
            let onceEach = lifetimes.count == 1 ? "allocator destroyed once" : "\(lifetimes.count) allocators destroyed once each"
            audit.evidence = "\(onceEach), 0 leaked, \(objectsAllocated) objects freed"
        }
        return audit
    }
}
