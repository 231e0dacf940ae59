import BPFModel

/// Counts kept by the helper's job; read by the coordinator after `waitForJob`.
final class HelperTally: @unchecked Sendable {
    var frees = 0
    var racingFrees = 0
    /// The run that dropped each object (by address), for evidence lines.
    var droppedBy: [UInt: RunID] = [:]
    /// The run that held objects while the kill ran, and how long it lasted.
    var racingRun: RunID?
    var racingRunNanoseconds = 0
    /// Set when the model refused a run (a reference held at its end, or carried over).
    var refusal: ProgramRunError?

    /// Names the run that raced in a fault's evidence: the one that dropped the object the
    /// first use-after-free event names, else the racing run.
    func namingTheRun(_ evidence: String, firstViolation: LifetimeChecker.Event?, cpu: Int) -> String {
        var run = racingRun
        if case .objectFreedIntoDestroyedAllocator(let object, _)? = firstViolation, let dropper = droppedBy[object] { run = dropper }
        guard let run else { return evidence }
        return evidence + " — dropped by \(run) on CPU \(cpu), which took its objects out before the unload and raced the kill"
            + " (window = that run's length, \(max(1, racingRunNanoseconds / 1_000)) µs here)"
    }
}
