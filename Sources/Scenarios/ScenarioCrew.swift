import Atomics
import Glibc
import Platform
import Strategies

/// The two pinned threads a scenario runs on, both QSBR readers:
/// - the coordinator (model CPU 0, on `cpus[0]`): the program that allocates and unloads, and
///   the control plane (closes, pins, map-in-map updates, whose frees use the world's control
///   CPU);
/// - the helper (model CPU 1, on `cpus[1]`): the second program, running jobs the coordinator
///   posts with `start` while the coordinator goes on, and collected with `waitForJob`.
/// The helper is offline between jobs, online inside them.
final class ScenarioCrew: @unchecked Sendable {
    /// Model CPU of the coordinator's program.
    static let coordinatorCPU = 0
    /// Model CPU of the helper's program.
    static let helperCPU = 1

    private let posted = ManagedAtomic<Int>(0)
    private let finished = ManagedAtomic<Int>(0)
    private let stopping = ManagedAtomic<Bool>(false)
    private let alive = ManagedAtomic<Bool>(false)
    /// Written by the coordinator before `posted` is bumped, cleared by the helper before
    /// `finished` is bumped.
    private var job: (() -> Void)?

    private init() {}

    /// Starts the helper on `cpus[1]` (or `cpus[0]`), runs `body` on a coordinator pinned to
    /// `cpus[0]` and registered with QSBR, stops and joins the helper, and returns `body`'s
    /// result. Pin failures and `body`'s error are rethrown.
    static func run<R>(cpus: [Int], _ body: (ScenarioCrew) throws -> R) throws -> R {
        guard let coordinatorCPU = cpus.first else { throw ScenarioError.invalidSettings("no CPU given") }
        let helperCPU = cpus.count > 1 ? cpus[1] : coordinatorCPU
        let crew = ScenarioCrew()
        let helper = PinnedThread.spawn(on: [helperCPU]) { _, _ in crew.helperLoop() }
        guard helper.allStarted else {
            try helper.join()
            throw ScenarioError.helperDidNotStart(cpu: helperCPU)
        }
        var result: Result<R, Error>? = nil
        do {
            try withoutActuallyEscaping(body) { body in
                try PinnedThread.run(on: [coordinatorCPU]) { _, _ in
                    QSBR.registerThread()
                    defer { QSBR.unregisterThread() }
                    result = Result {
                        try crew.awaitHelper(cpu: helperCPU)
                        return try body(crew)
                    }
                }
            }
        } catch {
            crew.stopping.store(true, ordering: .releasing)
            try? helper.join()
            throw error
        }
        crew.stopping.store(true, ordering: .releasing)
        try helper.join()
        return try result!.get()
    }

    /// Waits for the helper's thread to run (it never does if its pin failed: give up after
    /// about ten seconds rather than hang).
    private func awaitHelper(cpu: Int) throws {
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        var failed = false
        Spin.until {
            if alive.load(ordering: .acquiring) { return true }
            failed = MonotonicClock.nanoseconds() > deadline
            return failed
        }
        if failed { throw ScenarioError.helperDidNotStart(cpu: cpu) }
    }

    /// Posts `job` to the helper (the previous one must be finished).
    func start(_ job: @escaping () -> Void) {
        precondition(finished.load(ordering: .acquiring) == posted.load(ordering: .relaxed), "helper busy")
        self.job = job
        posted.wrappingIncrement(ordering: .releasing)
    }

    /// Whether the job posted last has finished.
    var jobFinished: Bool { finished.load(ordering: .acquiring) == posted.load(ordering: .relaxed) }

    /// Waits for the job posted last; afterwards everything it did is visible here.
    func waitForJob() {
        let target = posted.load(ordering: .relaxed)
        Spin.until { finished.load(ordering: .acquiring) == target }
    }

    private func helperLoop() {
        QSBR.registerThread()
        QSBR.offline()
        alive.store(true, ordering: .releasing)
        var done = 0
        while true {
            var stop = false
            Spin.until {
                if posted.load(ordering: .acquiring) != done { return true }
                stop = stopping.load(ordering: .acquiring)
                return stop
            }
            if stop { break }
            QSBR.online()
            runPostedJob()
            QSBR.offline()
            done += 1
            finished.store(done, ordering: .releasing)
        }
        QSBR.unregisterThread()
    }

    /// The job (and whatever it captured, a world included) is released before `finished`.
    @inline(never)
    private func runPostedJob() {
        let body = job.unsafelyUnwrapped
        job = nil
        body()
    }
}
