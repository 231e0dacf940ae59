import Atomics
import Foundation
import Platform
import Testing
@testable import KernelAllocator

/// The kill's grace period is a real kernel one: a BPF program that holds the RCU read side
/// (one BPF_PROG_TEST_RUN of a tc program is one rcu_read_lock() section) across the switch
/// delays it, and because it does, a put racing the switch is never lost. The same race
/// without the grace period loses the put: the test can tell.
@Suite(.enabled(if: !KernelTestSupport.skip && KernelTestSupport.twoCPUs), .serialized)
struct KernelPercpuRefGraceTests {
    /// The strategies object with the race's programs.
    final class Race: @unchecked Sendable {
        let object: BPFObject
        let widened, reset, kill, fold: TestRunProgram

        init() throws {
            let path = try KernelTestSupport.build.object(named: "strategies", objectSize: 64)
            let o = try BPFObject(path: path, name: "strategies", autoload: ["pcpu_widened", "reset", "kill", "fold"],
                                  logPath: NSTemporaryDirectory() + "strategies-race.verifier.log")
            func p(_ n: String) -> TestRunProgram { TestRunProgram(name: n, fd: o.programFD(n)) }
            object = o
            (widened, reset, kill, fold) = (p("pcpu_widened"), p("reset"), p("kill"), p("fold"))
            _ = try reset.run(iterations: KernelCase.possibleCPUs, base: 1)
        }

        var state: KernelPolicyState { KernelPolicyState.read(object)! }

        /// CPU 1 runs `pairs` new/get/drop/put steps, each put's mode check and per-CPU add
        /// `spinNs` apart, in ONE test run; CPU 0 waits until it runs, sleeps `delayNs`, then
        /// kills, waits `grace` (or not) and folds. Returns (run start, run end, grace end) ns.
        func run(pairs: Int, spinNs: Int, delayNs: Int, grace: Bool) throws -> (start: Int, end: Int, graceEnd: Int, killStart: Int) {
            let started = ManagedAtomic<Int>(0), ended = ManagedAtomic<Int>(0), graceEnd = ManagedAtomic<Int>(0)
            let killStart = ManagedAtomic<Int>(0)
            let failure = ManagedAtomic<Bool>(false)
            try PinnedThread.run(on: [1, 0]) { index, _ in
                if index == 0 {
                    started.store(monotonicNanoseconds(), ordering: .releasing)
                    do { _ = try self.widened.run(iterations: pairs, seed: UInt32(spinNs)) } catch { failure.store(true, ordering: .releasing) }
                    ended.store(monotonicNanoseconds(), ordering: .releasing)
                } else {
                    while started.load(ordering: .acquiring) == 0 {}
                    usleep(UInt32(delayNs / 1000))
                    do {
                        killStart.store(monotonicNanoseconds(), ordering: .releasing)
                        _ = try self.kill.run(iterations: 1)
                        if grace { _ = try KernelCase.kernelGracePeriod() }
                        graceEnd.store(monotonicNanoseconds(), ordering: .releasing)
                        _ = try self.fold.run(iterations: KernelCase.possibleCPUs)
                    } catch { failure.store(true, ordering: .releasing) }
                }
            }
            let failed = failure.load(ordering: .acquiring)
            #expect(!failed)
            return (started.load(ordering: .acquiring), ended.load(ordering: .acquiring), graceEnd.load(ordering: .acquiring),
                    killStart.load(ordering: .acquiring))
        }
    }

    /// A reader that runs ~100 ms from before the kill: the grace period ends only after it
    /// (an unblocked grace period here lasts a few ms to ~20 ms).
    @Test func graceWaitsForAProgramHoldingTheReadSide() throws {
        let race = try Race()
        defer { race.object.close() }
        let t = try race.run(pairs: 1000, spinNs: 100_000, delayNs: 5_000_000, grace: true)
        #expect(t.end - t.start > 80_000_000, "the reader ran \((t.end - t.start) / 1_000_000) ms")
        // The program's rcu_read_unlock precedes its test run's return by microseconds.
        #expect(t.graceEnd >= t.end - 1_000_000, "grace ended \((t.end - t.graceEnd) / 1000) us before the reader")
        #expect(race.state.count == 0 && race.state.releases == 1)
    }

    /// With the grace period every put that read PERCPU lands before the fold reads the slots:
    /// the count ends at exactly zero with one release, in every trial.
    @Test func putRacingTheSwitchIsNeverLost() throws {
        // A ~40 ms reader and a kill 1-5 ms into it; on a loaded host (TSan, a parallel build)
        // the kill can still come late, so trials continue until three raced, at most ten.
        var raced = 0, trials = 0
        for trial in 0..<10 where raced < 3 {
            let race = try Race()
            defer { race.object.close() }
            let t = try race.run(pairs: 2000, spinNs: 20_000, delayNs: 1_000_000 + (trial % 5) * 1_000_000, grace: true)
            trials += 1
            if t.killStart < t.end { raced += 1 } // the kill landed while the reader ran
            let s = race.state
            #expect(s.count == 0 && s.releases == 1, "trial \(trial): count \(Int64(bitPattern: s.count)), \(s.releases) releases")
        }
        #expect(raced >= 3, "only \(raced) of \(trials) kills landed while the reader ran")
    }

    /// The control: the same race with the fold right after the flag (no grace period) loses
    /// the put that read PERCPU before the flag and added to its slot after the fold.
    @Test func withoutTheGracePeriodTheRacingPutIsLost() throws {
        var lost = 0, raced = 0
        for trial in 0..<10 where raced < 3 {
            let race = try Race()
            defer { race.object.close() }
            let t = try race.run(pairs: 2000, spinNs: 20_000, delayNs: 1_000_000 + (trial % 5) * 1_000_000, grace: false)
            // Only a fold while the reader still runs can race it (a busy host may delay the kill).
            guard t.graceEnd < t.end else { continue }
            raced += 1
            let s = race.state
            if !(s.count == 0 && s.releases == 1) { lost += 1 }
        }
        #expect(raced >= 3, "only \(raced) folds landed while the reader ran")
        #expect(lost >= raced - 1, "only \(lost) of \(raced) racing folds lost a put without the grace period")
    }
}
