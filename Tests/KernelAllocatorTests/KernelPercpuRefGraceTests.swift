import Atomics
import Foundation
import Platform
import Testing
@testable import KernelAllocator

/// The kill's grace period is a real kernel one: a BPF program that holds the RCU read side
/// (one BPF_PROG_TEST_RUN of a tc program is one rcu_read_lock() section) across the switch
/// delays it, and because it does, a put racing the switch is never lost. The same race
/// without the grace period loses the put: the test can tell.
@Suite(.enabled(if: !KernelTestSupport.skip && KernelTestSupport.twoCPUs), .serialized, .tags(.concurrent))
struct KernelPercpuRefGraceTests {
    /// The strategies object with the race's programs.
    final class Race: @unchecked Sendable {
        let object: BPFObject
        let widened, reset, kill, fold: TestRunProgram

        init() throws {
            let programs: [StrategiesProgram] = [.pcpuWidened, .reset, .kill, .fold]
            let o = try BPFObject(.strategies, objectSize: 64, build: KernelTestSupport.build, autoload: Set(programs.map(\.id)),
                                  logName: "race.verifier")
            object = o
            (widened, reset, kill, fold) = (o.testRun(StrategiesProgram.pcpuWidened), o.testRun(StrategiesProgram.reset),
                                            o.testRun(StrategiesProgram.kill), o.testRun(StrategiesProgram.fold))
            _ = try reset.run(iterations: KernelCase.possibleCPUs, base: 1)
        }

        var state: KernelPolicyState { KernelPolicyState.read(object)! }

        /// Steps the reader (CPU 1) has completed in this object, read from the program's own
        /// per-CPU counter: whether it is inside its run is known from the kernel, not from
        /// clocks around the syscall (a loaded host can hold the thread off before the syscall
        /// or after the program's rcu_read_unlock for milliseconds).
        func readerSteps() -> Int {
            let at = UnsafeMutableRawPointer(mutating: object.bss! + object.countersOffset + ProvenanceCounters.stride)
            return Int(UnsafeAtomic<UInt64>(at: at.assumingMemoryBound(to: UInt64.AtomicRepresentation.self)).load(ordering: .acquiring))
        }

        struct Timeline {
            var pairs = 0
            var stepsAtKill = 0     // the reader's completed steps when the kill began
            var stepsAtGraceEnd = 0 // … when the grace period (or, without it, the fold) began
            /// The kill came while the program was inside its read-side section.
            var killRaced: Bool { stepsAtKill > 0 && stepsAtKill < pairs }
            var foldRaced: Bool { stepsAtGraceEnd > 0 && stepsAtGraceEnd < pairs }
        }

        /// CPU 1 runs `pairs` new/get/drop/put steps, each put's mode check and per-CPU add
        /// `spinNs` apart, in ONE test run (one bpf_loop, one read-side section); CPU 0 waits
        /// until the program has done its first step, sleeps `delayNs`, then kills, waits
        /// `grace` (or not) and folds.
        func run(pairs: Int, spinNs: Int, delayNs: Int, grace: Bool) throws -> Timeline {
            let before = readerSteps()
            let ended = ManagedAtomic<Bool>(false)
            let failure = ManagedAtomic<Bool>(false)
            let stepsAtKill = ManagedAtomic<Int>(0), stepsAtGraceEnd = ManagedAtomic<Int>(0)
            try PinnedThread.run(on: [1, 0]) { index, _ in
                if index == 0 {
                    do { _ = try self.widened.run(iterations: pairs, seed: UInt32(spinNs)) } catch { failure.store(true, ordering: .releasing) }
                    ended.store(true, ordering: .releasing)
                } else {
                    while self.readerSteps() == before && !ended.load(ordering: .acquiring) {}
                    usleep(UInt32(delayNs / 1000))
                    do {
                        stepsAtKill.store(self.readerSteps() - before, ordering: .releasing)
                        _ = try self.kill.run(iterations: 1)
                        if grace { _ = try KernelCase.kernelGracePeriod() }
                        stepsAtGraceEnd.store(self.readerSteps() - before, ordering: .releasing)
                        _ = try self.fold.run(iterations: KernelCase.possibleCPUs)
                    } catch { failure.store(true, ordering: .releasing) }
                }
            }
            let failed = failure.load(ordering: .acquiring)
            #expect(!failed)
            var t = Timeline()
            t.pairs = pairs
            t.stepsAtKill = stepsAtKill.load(ordering: .acquiring)
            t.stepsAtGraceEnd = stepsAtGraceEnd.load(ordering: .acquiring)
            return t
        }
    }

    /// A reader that runs ~100 ms and a kill 1 ms after its first step: the grace period
    /// (unblocked a few ms to ~20 ms here) ends only after the program's last step. Under
    /// load (CI runs this beside the TSan suites) the killer's CPU may not run it until the
    /// reader is done, so trials continue until one kill raced, at most ten.
    @Test func graceWaitsForAProgramHoldingTheReadSide() throws {
        var raced = 0, trials = 0
        for _ in 0..<10 where raced < 1 {
            let race = try Race()
            defer { race.object.close() }
            let t = try race.run(pairs: 1000, spinNs: 100_000, delayNs: 1_000_000, grace: true)
            trials += 1
            let s = race.state
            #expect(s.count == 0 && s.releases == 1)
            guard t.killRaced else { continue }
            raced += 1
            // The program's read-side section ends after its last step.
            #expect(t.stepsAtGraceEnd == t.pairs, "grace ended after \(t.stepsAtGraceEnd) of \(t.pairs) steps (the kill came after \(t.stepsAtKill))")
        }
        #expect(raced == 1, "no kill of \(trials) landed while the reader ran")
    }

    /// With the grace period every put that read PERCPU lands before the fold reads the slots:
    /// the count ends at exactly zero with one release, in every trial.
    @Test func putRacingTheSwitchIsNeverLost() throws {
        // A ~40 ms reader and a kill 1-5 ms into it; on a loaded host (TSan, a parallel build)
        // the kill can still come late, so trials continue until three raced, at most twenty.
        var raced = 0, trials = 0
        for trial in 0..<20 where raced < 3 {
            let race = try Race()
            defer { race.object.close() }
            let t = try race.run(pairs: 2000, spinNs: 20_000, delayNs: 1_000_000 + (trial % 5) * 1_000_000, grace: true)
            trials += 1
            if t.killRaced { raced += 1 }
            let s = race.state
            #expect(s.count == 0 && s.releases == 1, "trial \(trial): count \(Int64(bitPattern: s.count)), \(s.releases) releases")
        }
        #expect(raced >= 3, "only \(raced) of \(trials) kills landed while the reader ran")
    }

    /// The control: the same race with the fold right after the flag (no grace period) loses
    /// the put that read PERCPU before the flag and added to its slot after the fold.
    @Test func withoutTheGracePeriodTheRacingPutIsLost() throws {
        var lost = 0, raced = 0
        for trial in 0..<20 where raced < 3 {
            let race = try Race()
            defer { race.object.close() }
            let t = try race.run(pairs: 2000, spinNs: 20_000, delayNs: 1_000_000 + (trial % 5) * 1_000_000, grace: false)
            // Only a fold while the reader still runs can race it (a busy host may delay the kill).
            guard t.foldRaced else { continue }
            raced += 1
            let s = race.state
            if !(s.count == 0 && s.releases == 1) { lost += 1 }
        }
        #expect(raced >= 3, "only \(raced) folds landed while the reader ran")
        #expect(lost >= raced - 1, "only \(lost) of \(raced) racing folds lost a put without the grace period")
    }
}
