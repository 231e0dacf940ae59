import Atomics
import Glibc
import Histogram
import Platform

/// One case of the matrix: a subject, a workload, thread count, CPUs, object size.
public struct CaseSpec: Sendable, CustomStringConvertible {
    public var subject: String
    public var workload: WorkloadKind
    public var threads: Int
    public var cpus: [Int]
    public var size: Int
    public var description: String { "\(subject)/\(workload.rawValue) threads=\(threads) size=\(size)" }
}

/// Durations and switches shared by every case of a run.
public struct RunSettings: Sendable {
    public var durationNs: Int
    public var warmupNs: Int
    public var repetitions: Int
    public var latency: Bool
    /// Values in the case's array map: the objects outstanding at the kill, and what the
    /// unload walk visits.
    public var mapSlots: Int
    public var seed: UInt64
    public init(durationNs: Int, warmupNs: Int, repetitions: Int, latency: Bool, mapSlots: Int, seed: UInt64) {
        self.durationNs = durationNs
        self.warmupNs = warmupNs
        self.repetitions = repetitions
        self.latency = latency
        self.mapSlots = mapSlots
        self.seed = seed
    }
}

/// What one repetition measured.
struct RepetitionResult {
    var live = PhaseCounters()
    var liveWorkers = 0
    var postKill: PhaseCounters?
    var kill = KillTimings()
    var drain = PhaseCounters()
    var teardown: TeardownResult
    var bytes: [String: (peak: Int, avg: Int)] = [:]
    var liveLatency: (alloc: Histogram<UInt64>, free: Histogram<UInt64>)?
    var postKillLatency: (alloc: Histogram<UInt64>, free: Histogram<UInt64>)?
    var interrupted = false
}

/// Errors that end a case (and, for a broken invariant, the run).
public enum CaseFailure: Error, CustomStringConvertible {
    case allocationFailed(String)
    case invariant(String)
    case interrupted
    public var description: String {
        switch self {
        case .allocationFailed(let s): return "allocation failed: \(s)"
        case .invariant(let s): return s
        case .interrupted: return "interrupted"
        }
    }
}

/// Runs the phases of one repetition (DESIGN.md "Phases of one case"):
/// `live` → `kill` → `post-kill` → `drain` → teardown, with pinned workers that stay up the whole
/// time (so the kill's grace period waits for real readers) and a coordinator that kills,
/// samples memory and never spins.
enum CaseRunner {
    /// Phases as seen by the memory sampler.
    enum Phase: Int { case setup = 0, live, kill, postKill, drain, done }

    static func runRepetition<S: CaseSubject, W: Workload>(
        subject: S, workload: W.Type, spec: CaseSpec, settings: RunSettings, repetition: Int,
        latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double), interrupt: StopFlag
    ) throws -> RepetitionResult {
        let t = spec.threads
        let shared = WorkloadShared(size: spec.size, threads: t, mapSlots: settings.mapSlots,
                                    seed: settings.seed &+ UInt64(repetition) &* 7919)
        let barrier = SpinBarrier(parties: t)
        let phase = ManagedAtomic<Int>(Phase.setup.rawValue)
        let inKillWindow = ManagedAtomic<Int>(0)
        let killDone = StopFlag()
        let abort = StopFlag()

        // Per-worker results, written by their worker only, read after join.
        var live = [PhaseCounters](repeating: .init(), count: t)
        var post = [PhaseCounters](repeating: .init(), count: t)
        var drain = [PhaseCounters](repeating: .init(), count: t)
        var liveLat = [LatencyRecorder?](repeating: nil, count: t)
        var postLat = [LatencyRecorder?](repeating: nil, count: t)
        let postKillTarget = subject.postKill
        let slotsPerWorker = settings.mapSlots / t

        let group = PinnedThread.spawn(on: spec.cpus) { w, cpu in
            subject.workerOnline(cpu: cpu)
            defer { subject.workerOffline(cpu: cpu) }
            let target = subject.live

            /// Runs the workload for `ns` on `tgt`, then frees what it holds behind a barrier.
            func timed<T: WorkloadTarget>(_ tgt: T, ns: Int, into counters: inout PhaseCounters) {
                var wl = W(shared: shared, worker: w)
                let start = now()
                repeat {
                    wl.runBatch(tgt, cpu: cpu, counters: &counters)
                    subject.quiescent(cpu: cpu)
                } while now() - start < ns && counters.failedAllocations == 0 && !interrupt.isSet
                barrier.wait()  // nobody produces any more: rings can be emptied
                wl.finish(tgt, cpu: cpu)
                barrier.wait()
            }

            barrier.wait()
            if w == 0 { phase.store(Phase.live.rawValue, ordering: .relaxed) }
            var scratch = PhaseCounters()
            if settings.warmupNs > 0 { timed(target, ns: settings.warmupNs, into: &scratch) }
            timed(target, ns: settings.durationNs, into: &live[w])
            if settings.latency, let pattern = latencyPattern(W.kind) {
                var rec = LatencyRecorder(overheadTicks: latencyCalibration.overheadTicks, ticksPerNs: latencyCalibration.ticksPerNs)
                let buf = UnsafeMutablePointer<UnsafeMutableRawPointer>.allocate(capacity: pattern)
                rec.run(target, cpu: cpu, size: spec.size, pattern: pattern, rounds: 20_000 / pattern, scratch: buf)
                buf.deallocate()
                liveLat[w] = rec
                subject.quiescent(cpu: cpu)
            }

            // Stash: fill this worker's slot range of the map, as programs leave objects in maps.
            let lo = w * slotsPerWorker, hi = w == t - 1 ? settings.mapSlots : lo + slotsPerWorker
            for slot in lo..<hi {
                guard let p = target.allocate(size: spec.size, cpu: cpu) else { live[w].failedAllocations += 1; break }
                if let old = target.exchange(slot: slot, with: p, cpu: cpu) { target.free(old, cpu: cpu) }
            }
            // In flight at the kill: objects this worker frees while the owner goes away.
            var reserve: [UnsafeMutableRawPointer] = []
            reserve.reserveCapacity(1024)
            for _ in 0..<1024 {
                guard let p = target.allocate(size: spec.size, cpu: cpu) else { break }
                reserve.append(p)
            }
            barrier.wait()
            if w == 0 { phase.store(Phase.kill.rawValue, ordering: .relaxed) }
            inKillWindow.wrappingIncrement(ordering: .releasing)
            while !killDone.isSet && !abort.isSet {
                // Free a few in-flight objects, then report a quiescent state, as a CPU running
                // BPF programs passes through quiescent states between programs.
                for _ in 0..<16 { if let p = reserve.popLast() { target.free(p, cpu: cpu) } }
                subject.quiescent(cpu: cpu)
                TimeStampCounter.relax()
            }
            for p in reserve { target.free(p, cpu: cpu) }
            barrier.wait()

            if w == 0 { phase.store(Phase.postKill.rawValue, ordering: .relaxed) }
            if let pk = postKillTarget, !interrupt.isSet {
                timed(pk, ns: settings.durationNs, into: &post[w])
                if settings.latency, let pattern = latencyPattern(W.kind) {
                    var rec = LatencyRecorder(overheadTicks: latencyCalibration.overheadTicks, ticksPerNs: latencyCalibration.ticksPerNs)
                    let buf = UnsafeMutablePointer<UnsafeMutableRawPointer>.allocate(capacity: pattern)
                    rec.run(pk, cpu: cpu, size: spec.size, pattern: pattern, rounds: 20_000 / pattern, scratch: buf)
                    buf.deallocate()
                    postLat[w] = rec
                }
            }
            barrier.wait()

            // Drain: take every object out of this worker's slots and free it, timed.
            if w == 0 { phase.store(Phase.drain.rawValue, ordering: .relaxed) }
            let d0 = now()
            var freed = 0
            for slot in lo..<hi {
                if let p = target.exchange(slot: slot, with: nil, cpu: cpu) {
                    target.free(p, cpu: cpu)
                    freed += 1
                }
            }
            drain[w].freeNs = now() - d0
            drain[w].freeOps = freed
            barrier.wait()
            if w == 0 { phase.store(Phase.done.rawValue, ordering: .relaxed) }
        }
        guard group.allStarted else {
            abort.set()
            try group.join()
            throw CaseFailure.invariant("could not start every worker")
        }

        // Coordinator: sample memory per phase, kill when every worker is in the kill window.
        var samples: [Phase: [Int]] = [:]
        var kill = KillTimings()
        var killed = false
        while true {
            let ph = Phase(rawValue: phase.load(ordering: .relaxed)) ?? .setup
            if ph == .live || ph == .kill || ph == .postKill, let b = subject.heldBytes() { samples[ph, default: []].append(b) }
            if !killed && inKillWindow.load(ordering: .acquiring) == t {
                if subject.hasKill { kill = subject.kill() }
                killed = true
                killDone.set()
            }
            if ph == .done { break }
            var ts = timespec(tv_sec: 0, tv_nsec: killed ? 1_000_000 : 100_000)
            nanosleep(&ts, nil)
        }
        try group.join()

        let teardown = subject.teardown()
        var result = RepetitionResult(teardown: teardown)
        for c in live { result.live.add(c) }
        result.liveWorkers = t
        if postKillTarget != nil && !interrupt.isSet {
            var p = PhaseCounters()
            for c in post { p.add(c) }
            result.postKill = p
        }
        for c in drain { result.drain.add(c) }
        result.kill = kill
        for (ph, name) in [(Phase.live, "live"), (.kill, "kill"), (.postKill, "post-kill")] {
            if let s = samples[ph], !s.isEmpty { result.bytes[name] = (s.max()!, s.reduce(0, +) / s.count) }
        }
        result.liveLatency = merge(liveLat)
        result.postKillLatency = merge(postLat)
        result.interrupted = interrupt.isSet
        if result.live.failedAllocations > 0 || (result.postKill?.failedAllocations ?? 0) > 0 {
            throw CaseFailure.allocationFailed(spec.description)
        }
        return result
    }

    /// The latency pass pattern for a workload: pair → 1, batch → 256; others have none.
    static func latencyPattern(_ kind: WorkloadKind) -> Int? {
        switch kind {
        case .pair: return 1
        case .batch: return 256
        default: return nil
        }
    }

    static func merge(_ recs: [LatencyRecorder?]) -> (alloc: Histogram<UInt64>, free: Histogram<UInt64>)? {
        let present = recs.compactMap { $0 }
        guard var first = present.first else { return nil }
        for r in present.dropFirst() {
            first.alloc.add(r.alloc)
            first.free.add(r.free)
        }
        return (first.alloc, first.free)
    }
}
