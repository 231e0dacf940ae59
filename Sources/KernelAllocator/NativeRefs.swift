import Foundation
import Glibc
import Platform

/// Why the native refcounts gave no figures: not measurable here (the rows are `n/a`), or a
/// measurement that ran and failed its checks.
public enum NativeRefsError: Error, Sendable, CustomStringConvertible {
    case unavailable(KernelUnavailable)
    case failed(KernelCaseFailure)

    public var description: String {
        switch self {
        case .unavailable(let u): u.description
        case .failed(let f): f.description
        }
    }
}

/// The kernel's own refcounts measured in the running kernel (issue 26): lib/percpu-refcount.c
/// through a child cgroup's `self` css, live and killed, and `struct bpf_refcount`. Each block
/// is a fresh load of native_refs.bpf.c and a fresh child cgroup of a private cgroup2 mount.
public enum NativeRefs {
    /// Steps per BPF_PROG_TEST_RUN: the css steps cost 5–50 ns, the pairs ~500 ns, so each run
    /// lasts several µs and the syscall's ~1 µs stays a small part of it.
    static let refOpsPerRun = 1024
    static let pairOpsPerRun = 64
    /// Timed runs per worker, phase and CPU count for the latency histograms (32 × 1024 ops).
    static let latencyRuns = 32
    /// Timed runs per worker, phase and CPU count of the emulations' new+get / drop+put (64
    /// pairs each, ~40 µs): 128 × 64 ops, ~5 ms per program.
    static let pairLatencyRuns = 128
    static let getPut = ProvenanceCounters(allocated: 1, freed: 1)
    static let control = ProvenanceCounters(empty: 1)

    /// `cpus`: the workers' CPUs; the 1-CPU rows use the first. `cgroupFilesystem` is for tests
    /// of the n/a path.
    /// `calibrate`: run the BPF emulations (pcpu_acct, atomic_acct, lazy_acct) in the same
    /// rounds as the native css get+put (issue 26 item 3).
    public static func measure(cpus: [Int] = [0, 1], blocks: Int = 10, rounds: Int = 16, sliceNs: Int = 1_250_000,
                               build: BPFBuild, cgroupFilesystem: String = "cgroup2", calibrate: Bool = true) throws(NativeRefsError) -> NativeRefResults {
        try measure(cpus: cpus, blocks: blocks, rounds: rounds, sliceNs: sliceNs, build: build, cgroupFilesystem: cgroupFilesystem,
                    calibrate: calibrate, stop: StopCheck { RunInterrupt.isSet })
    }

    /// `stop` is polled between steps (tests stop a run part-way without a process-wide signal).
    static func measure(cpus: [Int], blocks: Int, rounds: Int, sliceNs: Int, build: BPFBuild, cgroupFilesystem: String,
                        calibrate: Bool = true, stop: StopCheck) throws(NativeRefsError) -> NativeRefResults {
        guard let first = cpus.first, blocks >= 1, rounds >= 1, sliceNs >= 10_000 else {
            throw .failed(KernelCaseFailure("native refs: needs a CPU, a block, a round and slices of at least 10 µs"))
        }
        let sets = cpus.count > 1 ? [[first], cpus] : [[first]]
        let hierarchy: PrivateCgroup2
        do { hierarchy = try PrivateCgroup2(filesystem: cgroupFilesystem) } catch { throw .unavailable(error) }
        defer { hierarchy.close() }
        var results = NativeRefResults(
            percpuRef: RefPhase.allCases.flatMap { p in sets.map { PercpuRefMeasurement(phase: p, cpus: $0.count, cost: AddedCost()) } },
            kill: KillObservation(), refcountPair: AddedCost(),
            sharedRefcount: sets.map { SharedRefcountMeasurement(cpus: $0.count, cost: AddedCost()) },
            blocks: blocks, rounds: rounds, sliceNs: sliceNs)
        if calibrate {
            results.calibration = RefPhase.allCases.flatMap { p in
                sets.flatMap { set in EmulatedRef.allCases.map { EmulationCalibration(emulation: $0, phase: p, cpus: set.count) } }
            }
        }
        for _ in 0..<blocks {
            let object: NativeRefsObject
            do { object = try NativeRefsObject(build: build) } catch { throw .unavailable(error) }
            defer { object.close() }
            let emulation = loadEmulation(cpu: first, build: build, into: &results)
            defer { emulation?.close() }
            do throws(KernelCaseFailure) {
                try percpuRefBlock(object, emulation: emulation, hierarchy: hierarchy, sets: sets, rounds: rounds, sliceNs: sliceNs,
                                   stop: stop, into: &results)
                try refcountBlock(object, sets: sets, rounds: rounds, sliceNs: sliceNs, stop: stop, into: &results)
            } catch { throw .failed(error) }
        }
        return results
    }

    /// One block of the percpu_ref: stash a fresh child, get+put live at each CPU count, rmdir,
    /// wait for the fold, get+put killed, the last put, and the release seen.
    /// With `emulation`, its pcpu_acct, atomic_acct and lazy_acct run in the same rounds (after
    /// the native pair's columns), and its own kill + grace + fold follows rmdir's fold.
    static func percpuRefBlock(_ object: NativeRefsObject, emulation: NativeEmulation? = nil, hierarchy: PrivateCgroup2, sets: [[Int]],
                               rounds: Int, sliceNs: Int, stop: StopCheck, into results: inout NativeRefResults) throws(KernelCaseFailure) {
        let child = try hierarchy.makeChild()
        var removed = false
        defer { if !removed { _ = try? child.remove() } }
        try object.stash(cgroup: child.id)
        guard let live = try object.mode(), live.modeBits == 0, !live.isFolded else {
            throw KernelCaseFailure("the stashed cgroup's ref is not in percpu mode before the kill")
        }
        var subjects = [NativeSubject(program: try object.program(.cssGetput), opsPerRun: refOpsPerRun, perOp: getPut),
                        NativeSubject(program: try object.program(.cssEmpty), opsPerRun: refOpsPerRun, perOp: control)]
        if let emulation {
            subjects += try emulation.subjects()
            try emulation.hold()
        }
        func measure(_ phase: RefPhase, into results: inout NativeRefResults) throws(KernelCaseFailure) {
            for set in sets {
                try stop.check()
                let rounds = try NativeInterleaver.run(subjects, object: object.object, cpus: set, rounds: rounds, sliceNs: sliceNs)
                let i = results.percpuRef.firstIndex { $0.phase == phase && $0.cpus == set.count }!
                results.percpuRef[i].cost.append(rounds: rounds)
                if emulation != nil { results.appendCalibration(rounds: rounds, phase: phase, cpus: set.count) }
            }
        }
        /// The get+put timed op by op (after the interleaved rounds, never inside them).
        func latency(_ phase: RefPhase, into results: inout NativeRefResults) throws(KernelCaseFailure) {
            for set in sets {
                try stop.check()
                let (g, e) = try timedPass(object, cpus: set, runs: latencyRuns, opsPerRun: refOpsPerRun)
                results.latency.add(phase: phase, cpus: set.count, getPut: g, empty: e)
                if let emulation {
                    let hs = try emulation.timedPass(cpus: set, runs: latencyRuns, opsPerRun: refOpsPerRun)
                    let pairs = try emulation.timedPass(.pair, cpus: set, runs: pairLatencyRuns, opsPerRun: pairOpsPerRun)
                    if results.emulatedLatency.firstIndex(where: { $0.phase == phase && $0.cpus == set.count }) == nil {
                        results.emulatedLatency.append(EmulatedLatency(phase: phase, cpus: set.count))
                    }
                    let i = results.emulatedLatency.firstIndex { $0.phase == phase && $0.cpus == set.count }!
                    results.emulatedLatency[i] = results.emulatedLatency[i] + hs
                    results.emulatedLatency[i].addPairs(pairs)
                }
            }
        }
        try measure(.live, into: &results)
        try latency(.live, into: &results)
        try emulation?.checkLive()
        results.kill.rmdirNs.append(Double(try child.remove()))
        removed = true
        try waitForFold(object, stop: stop, into: &results.kill)
        try emulation?.kill()
        try measure(.killed, into: &results)
        try latency(.killed, into: &results)
        try emulation?.checkKilled()
        try emulation?.finish()
        try lastPut(object, child: child, hierarchy: hierarchy, into: &results.kill)
    }

    /// The emulation's object for one block, or nil (and the note said once) when it does not
    /// load here: the native rows then run alone, unchanged.
    static func loadEmulation(cpu: Int, build: BPFBuild, into results: inout NativeRefResults) -> NativeEmulation? {
        guard !results.calibration.isEmpty else { return nil }
        do { return try NativeEmulation(cpu: cpu, build: build) } catch {
            results.calibration = []
            results.calibrationNote = "the emulations did not load beside native: \(error.reason) (\(error.note))"
            return nil
        }
    }

    /// Polls the ref's state from rmdir's return until `data->count` is folded (at most 5 s).
    static func waitForFold(_ object: NativeRefsObject, stop: StopCheck = StopCheck { false }, into kill: inout KillObservation) throws(KernelCaseFailure) {
        let t0 = monotonicNanoseconds()
        var notYet = 0, first = true
        while true {
            guard let state = try object.mode() else { throw KernelCaseFailure("the stash emptied during the kill") }
            let t = monotonicNanoseconds() - t0
            if first {
                if state.isAtomic && state.isDead { kill.flagsAtReturn += 1 }
                first = false
            }
            if state.isFolded {
                guard state.isAtomic && state.isDead else { throw KernelCaseFailure("the ref folded without ATOMIC|DEAD") }
                kill.atomicSeenNs.append(Double(t))
                kill.atomicNotYetNs.append(Double(notYet))
                return
            }
            notYet = t
            guard t < 5_000_000_000 else { throw KernelCaseFailure("the ref did not switch to atomic mode within 5 s") }
            try stop.check()
            var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
            nanosleep(&pause, nil)
        }
    }

    /// The last put: the count must hold only the stash (and what the kernel holds), the unstash
    /// must find the reference the loader put there, and the release must then run.
    static func lastPut(_ object: NativeRefsObject, child: CgroupChild, hierarchy: PrivateCgroup2,
                        into kill: inout KillObservation) throws(KernelCaseFailure) {
        // The switch holds a reference of its own until just after the fold; wait for it to go.
        var count: Int64 = 0
        let start = monotonicNanoseconds()
        repeat {
            guard let state = try object.mode() else {
                throw KernelCaseFailure("the stash's reference was dropped by someone else: an extra put")
            }
            count = state.count
            if count == 1 { break }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000)
            nanosleep(&pause, nil)
        } while monotonicNanoseconds() - start < 1_000_000_000
        kill.countBeforeLastPut.append(count)
        guard count == 1 else { throw KernelCaseFailure("the killed ref counts \(count) references where only the stash should hold one: a get without its put") }
        guard try object.unstash() else { throw KernelCaseFailure("the stash was empty at the last put: an extra put") }
        let t0 = monotonicNanoseconds()
        while hierarchy.dyingDescendants() != 0 {
            guard monotonicNanoseconds() - t0 < 5_000_000_000 else {
                throw KernelCaseFailure("cgroup \(child.id) still dying 5 s after the last put: its release did not run")
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000)
            nanosleep(&pause, nil)
        }
        guard try !object.lookup(cgroup: child.id), !child.exists else {
            throw KernelCaseFailure("cgroup \(child.id) is still found after its release")
        }
        kill.releasesSeen += 1
    }

    /// One block of bpf_refcount: the pair against the plain pair on one CPU, then the shared
    /// object's acquire+drop at each CPU count; every allocation freed by the block's end.
    static func refcountBlock(_ object: NativeRefsObject, sets: [[Int]], rounds: Int, sliceNs: Int, stop: StopCheck,
                              into results: inout NativeRefResults) throws(KernelCaseFailure) {
        try stop.check()
        let pair = [NativeSubject(program: try object.program(.rcPair), opsPerRun: pairOpsPerRun, perOp: ProvenanceCounters(allocated: 2, freed: 2)),
                    NativeSubject(program: try object.program(.plainPair), opsPerRun: pairOpsPerRun, perOp: getPut)]
        results.refcountPair.append(rounds: try NativeInterleaver.run(pair, object: object.object, cpus: sets[0], rounds: rounds, sliceNs: sliceNs))
        try object.stashShared()
        var stashed = true
        defer { if stashed { _ = try? object.unstashShared() } }
        let shared = [NativeSubject(program: try object.program(.rcSharedGetput), opsPerRun: refOpsPerRun, perOp: getPut),
                      NativeSubject(program: try object.program(.rcSharedEmpty), opsPerRun: refOpsPerRun, perOp: control)]
        for (i, set) in sets.enumerated() {
            try stop.check()
            results.sharedRefcount[i].cost.append(rounds: try NativeInterleaver.run(shared, object: object.object, cpus: set, rounds: rounds, sliceNs: sliceNs))
            // Then timed op by op, after the rounds and never inside them.
            let (g, e) = try timedPass(object, refcount: true, cpus: set, runs: latencyRuns, opsPerRun: refOpsPerRun)
            results.refcountLatency.add(phase: .live, cpus: set.count, getPut: g, empty: e)
        }
        stashed = false
        guard try object.unstashShared() else { throw KernelCaseFailure("the shared refcounted object was gone before its last drop") }
        let totals = object.totals()
        guard totals.failed == 0, totals.allocated == totals.freed else {
            throw KernelCaseFailure("refcounts: \(totals.allocated) references taken, \(totals.freed) dropped, \(totals.failed) failed")
        }
    }

}

extension NativeRefs {
    /// SIGINT/SIGTERM/SIGHUP stop a measurement at its next step, which then unstashes, removes
    /// its cgroups and unmounts (RunInterrupt); for commands that have no handler of their own.
    public static func installInterruptHandler() { RunInterrupt.install() }

    /// 128 + the signal when a signal stopped the run, else nil.
    public static var interruptedExitCode: Int32? { RunInterrupt.isSet ? RunInterrupt.exitCode : nil }
}

/// Whether to stop at the next step: RunInterrupt in a run, a counter in tests.
struct StopCheck: Sendable {
    let isSet: @Sendable () -> Bool
    init(_ isSet: @escaping @Sendable () -> Bool) { self.isSet = isSet }
    func check() throws(KernelCaseFailure) {
        if isSet() { throw KernelCaseFailure("interrupted") }
    }
}
