import Atomics
import Glibc
import Histogram
import Platform
import Strategies

/// One case of the matrix: a subject, a workload, thread count, CPUs, object size.
public struct CaseSpec: Sendable, CustomStringConvertible, Hashable {
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
    /// The cross-core round trip measured just before the repetition (ns), nil on one CPU.
    var crossCoreRoundTripNs: Double?
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
/// `live` → `kill` → `post-kill` → `drain` → teardown, on pinned workers that stay up the whole
/// time (so the kill's grace period waits for real readers). The coordinator sleeps on a
/// condition until the workers reach the kill window, kills, waits for an asynchronous kill
/// to be confirmed, then sleeps until the workers are done: it never wakes on a timer, so it
/// never takes a worker's CPU while a phase is measured.
enum CaseRunner {
    static func runRepetition<S: CaseSubject, W: Workload>(
        subject: S, workload: W.Type, spec: CaseSpec, settings: RunSettings, repetition: Int,
        latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double), interrupt: StopFlag
    ) throws -> RepetitionResult {
        let run = RepetitionRun<S, W>(subject: subject, spec: spec, settings: settings, repetition: repetition,
                                      latencyCalibration: latencyCalibration, interrupt: interrupt)
        return try run.execute()
    }

    /// The latency pass pattern for a workload: pair → 1, batch → 256; others have none.
    static func latencyPattern(_ kind: WorkloadKind) -> Int? {
        switch kind {
        case .pair: return 1
        case .batch: return 256
        default: return nil
        }
    }
}

/// The state one repetition's workers and coordinator share, and the steps each runs.
final class RepetitionRun<S: CaseSubject, W: Workload>: @unchecked Sendable {
    /// Phases as seen by the memory sampler.
    enum Phase: Int { case live = 0, kill, postKill }

    let subject: S
    let spec: CaseSpec
    let settings: RunSettings
    let latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double)
    let interrupt: StopFlag
    let shared: WorkloadShared
    let barrier: SpinBarrier
    let inKillWindow = ManagedAtomic<Int>(0)
    let killWindowReached = PhaseSignal()
    let killDone = StopFlag()
    let abort = StopFlag()
    /// Decided by the coordinator before it releases the workers from the kill window, so every
    /// worker takes the same branch (and the same barriers) after it.
    var runPostKill = false
    let slotsPerWorker: Int

    // Per-worker results, written by their worker only, read after join.
    var live: [PhaseCounters]
    var post: [PhaseCounters]
    var drain: [PhaseCounters]
    var liveLatency: [LatencyRecorder?]
    var postLatency: [LatencyRecorder?]
    var destroyInDrainNs: [Int?]
    var warmSink: [UInt8]
    /// Worker 0 samples the subject's held bytes at batch boundaries (it reads the clock there
    /// anyway), so sampling needs no thread of its own.
    var memory = MemorySampler()

    init(subject: S, spec: CaseSpec, settings: RunSettings, repetition: Int,
         latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double), interrupt: StopFlag) {
        self.subject = subject
        self.spec = spec
        self.settings = settings
        self.latencyCalibration = latencyCalibration
        self.interrupt = interrupt
        let t = spec.threads
        shared = WorkloadShared(size: spec.size, threads: t, mapSlots: settings.mapSlots,
                                seed: settings.seed &+ UInt64(repetition) &* 7919)
        barrier = SpinBarrier(parties: t)
        slotsPerWorker = settings.mapSlots / t
        live = .init(repeating: .init(), count: t)
        post = .init(repeating: .init(), count: t)
        drain = .init(repeating: .init(), count: t)
        liveLatency = .init(repeating: nil, count: t)
        postLatency = .init(repeating: nil, count: t)
        destroyInDrainNs = .init(repeating: nil, count: t)
        warmSink = .init(repeating: 0, count: t)
    }

    func execute() throws -> RepetitionResult {
        let group = PinnedThread.spawn(on: spec.cpus) { w, cpu in self.worker(w, cpu: cpu) }
        guard group.allStarted else {
            // The workers that did start wait for the missing one at the first barrier.
            abort.set()
            barrier.cancel()
            killWindowReached.signal()
            try group.join()
            throw CaseFailure.invariant("could not start every worker")
        }
        let kill = coordinateKill()
        try group.join()
        return try collect(kill: kill)
    }

    // MARK: Worker steps

    func worker(_ w: Int, cpu: Int) {
        subject.workerOnline(cpu: cpu)
        defer { subject.workerOffline(cpu: cpu) }
        let target = subject.live
        let slots = slotRange(w)
        barrier.wait()
        if abort.isSet { return }
        if settings.warmupNs > 0 { var scratch = PhaseCounters(); measure(target, w, cpu, .live, ns: settings.warmupNs, into: &scratch) }
        measure(target, w, cpu, .live, ns: settings.durationNs, into: &live[w])
        if settings.latency { liveLatency[w] = latencyPass(target, cpu: cpu) }
        stash(target, cpu: cpu, slots: slots, failures: &live[w].failedAllocations)
        killWindow(target, w, cpu: cpu)
        if runPostKill, let pk = subject.postKill {
            // The post-kill loop is its own specialization: warm it up like the live one.
            if settings.warmupNs > 0 { var scratch = PhaseCounters(); measure(pk, w, cpu, .postKill, ns: settings.warmupNs, into: &scratch) }
            measure(pk, w, cpu, .postKill, ns: settings.durationNs, into: &post[w])
            if settings.latency { postLatency[w] = latencyPass(pk, cpu: cpu) }
        }
        barrier.wait()
        drainSlots(target, w, cpu: cpu, slots: slots)
        barrier.wait()
    }

    func slotRange(_ w: Int) -> Range<Int> {
        let lo = w * slotsPerWorker
        return lo..<(w == spec.threads - 1 ? settings.mapSlots : lo + slotsPerWorker)
    }

    /// Runs the workload for `ns` on `tgt`, then frees what it holds behind a barrier.
    func measure<T: WorkloadTarget>(_ tgt: T, _ w: Int, _ cpu: Int, _ phase: Phase, ns: Int, into counters: inout PhaseCounters) {
        var wl = W(shared: shared, worker: w)
        let start = now()
        var t = start
        repeat {
            wl.runBatch(tgt, cpu: cpu, counters: &counters)
            subject.quiescent(cpu: cpu)
            t = now()
            if w == 0 { memory.sampleIfDue(phase.rawValue, at: t) { subject.heldBytes() } }
        } while t - start < ns && counters.failedAllocations == 0 && !interrupt.isSet
        barrier.wait()  // nobody produces any more: rings can be emptied
        wl.finish(tgt, cpu: cpu)
        barrier.wait()
    }

    func latencyPass<T: WorkloadTarget>(_ tgt: T, cpu: Int) -> LatencyRecorder? {
        guard let pattern = CaseRunner.latencyPattern(W.kind) else { return nil }
        var rec = LatencyRecorder(overheadTicks: latencyCalibration.overheadTicks, ticksPerNs: latencyCalibration.ticksPerNs)
        let buf = UnsafeMutablePointer<UnsafeMutableRawPointer>.allocate(capacity: pattern)
        rec.run(tgt, cpu: cpu, size: spec.size, pattern: pattern, rounds: 20_000 / pattern, scratch: buf)
        buf.deallocate()
        subject.quiescent(cpu: cpu)
        return rec
    }

    /// Fills this worker's slot range of the map, as programs leave objects in maps.
    func stash<T: WorkloadTarget>(_ target: T, cpu: Int, slots: Range<Int>, failures: inout Int) {
        for slot in slots {
            guard let p = target.allocate(size: spec.size, cpu: cpu) else { failures += 1; break }
            if let old = target.exchange(slot: slot, with: p, cpu: cpu) { target.free(old, cpu: cpu) }
        }
    }

    /// In flight at the kill: the worker frees objects while the owner goes away, passing
    /// through quiescent states as a CPU running BPF programs does between programs.
    func killWindow<T: WorkloadTarget>(_ target: T, _ w: Int, cpu: Int) {
        var reserve: [UnsafeMutableRawPointer] = []
        reserve.reserveCapacity(1024)
        for _ in 0..<1024 {
            guard let p = target.allocate(size: spec.size, cpu: cpu) else { break }
            reserve.append(p)
        }
        barrier.wait()
        if inKillWindow.wrappingIncrementThenLoad(ordering: .acquiringAndReleasing) == spec.threads { killWindowReached.signal() }
        while !killDone.isSet && !abort.isSet {
            for _ in 0..<16 { if let p = reserve.popLast() { target.free(p, cpu: cpu) } }
            subject.quiescent(cpu: cpu)
            if w == 0 { memory.sampleIfDue(Phase.kill.rawValue, at: now()) { subject.heldBytes() } }
            TimeStampCounter.relax()
        }
        for p in reserve { target.free(p, cpu: cpu) }
        barrier.wait()
    }

    /// Objects per timed drain chunk: ~10 µs each, long enough for the clock, short enough that
    /// an interrupt or a host hiccup spoils one chunk, not the figure.
    static var drainChunk: Int { 1024 }

    /// Takes every object out of this worker's slots and frees it, timed. Every strategy drains
    /// warm: an untimed pass first reads each object it will free, so the cache state is the
    /// same whether or not a post-kill phase ran. The drain is timed in chunks and its rate is
    /// the median chunk's (a whole drain of 16 Ki objects takes ~100 µs, so one timer interrupt
    /// would otherwise move it by tens of percent). A destroy at the last free is timed on its
    /// own (`destroy` row) and taken out of its chunk.
    func drainSlots<T: WorkloadTarget>(_ target: T, _ w: Int, cpu: Int, slots: Range<Int>) {
        var sink: UInt8 = 0
        for slot in slots {
            if let p = target.exchange(slot: slot, with: nil, cpu: cpu) {
                sink &+= p.load(as: UInt8.self)
                _ = target.exchange(slot: slot, with: p, cpu: cpu)
            }
        }
        warmSink[w] = sink
        let chunk = Self.drainChunk
        var perObjectNs = [Double]()
        perObjectNs.reserveCapacity(slots.count / chunk + 1)
        barrier.wait()
        var freed = 0
        var start = slots.lowerBound
        while start < slots.upperBound {
            let end = min(start + chunk, slots.upperBound)
            let t0 = now()
            var n = 0
            for slot in start..<end {
                if let p = target.exchange(slot: slot, with: nil, cpu: cpu) {
                    target.free(p, cpu: cpu)
                    n += 1
                }
            }
            var elapsed = now() - t0
            if end == slots.upperBound, let destroy = subject.destroyNanosecondsIfDestroyedByCallingThread() {
                destroyInDrainNs[w] = destroy
                elapsed = max(elapsed - destroy, 1)
            }
            if n > 0 { perObjectNs.append(Double(elapsed) / Double(n)) }
            freed += n
            start = end
        }
        perObjectNs.sort()
        let median = perObjectNs.isEmpty ? 0 : perObjectNs[perObjectNs.count / 2]
        drain[w].freeNs = max(Int((median * Double(freed)).rounded()), freed > 0 ? 1 : 0)
        drain[w].freeOps = freed
    }

    // MARK: Coordinator

    /// Sleeps until every worker is in the kill window, kills, waits for an asynchronous kill
    /// to be confirmed, then releases the workers.
    func coordinateKill() -> KillTimings {
        killWindowReached.wait()
        var kill = KillTimings()
        if !abort.isSet && subject.hasKill {
            let since = MonotonicClock.nanoseconds()
            kill = subject.kill()
            if let confirmed = subject.waitForKillConfirmation(since: since) { kill.graceNs = confirmed }
        }
        runPostKill = subject.postKill != nil && !interrupt.isSet
        killDone.set()  // releasing: publishes runPostKill
        return kill
    }

    // MARK: Results

    func collect(kill: KillTimings) throws -> RepetitionResult {
        var teardown = subject.teardown()
        if let d = destroyInDrainNs.compactMap({ $0 }).first {
            teardown.destroyNs = d
            teardown.destroyPhase = "drain"
        }
        var result = RepetitionResult(teardown: teardown)
        for c in live { result.live.add(c) }
        result.liveWorkers = spec.threads
        if runPostKill {
            var p = PhaseCounters()
            for c in post { p.add(c) }
            result.postKill = p
        }
        for c in drain { result.drain.add(c) }
        result.kill = kill
        for (ph, name) in [(Phase.live, "live"), (.kill, "kill"), (.postKill, "post-kill")] {
            if let b = memory.summary(ph.rawValue) { result.bytes[name] = b }
        }
        result.liveLatency = merge(liveLatency)
        result.postKillLatency = merge(postLatency)
        result.interrupted = interrupt.isSet
        if result.live.failedAllocations > 0 || (result.postKill?.failedAllocations ?? 0) > 0 {
            throw CaseFailure.allocationFailed(spec.description)
        }
        return result
    }

    func merge(_ recs: [LatencyRecorder?]) -> (alloc: Histogram<UInt64>, free: Histogram<UInt64>)? {
        let present = recs.compactMap { $0 }
        guard var first = present.first else { return nil }
        for r in present.dropFirst() {
            first.alloc.add(r.alloc)
            first.free.add(r.free)
        }
        return (first.alloc, first.free)
    }
}

/// Peak and average of a subject's held bytes per phase, sampled by one worker at batch
/// boundaries at most every 100 µs (a few relaxed loads, no allocation).
struct MemorySampler {
    static let intervalNs = 100_000
    var next = 0
    var peak = [Int](repeating: 0, count: 3)
    var sum = [Int](repeating: 0, count: 3)
    var count = [Int](repeating: 0, count: 3)

    @inline(__always)
    mutating func sampleIfDue(_ phase: Int, at t: Int, _ read: () -> Int?) {
        guard t >= next else { return }
        next = t + MemorySampler.intervalNs
        guard let b = read() else { return }
        peak[phase] = max(peak[phase], b)
        sum[phase] += b
        count[phase] += 1
    }

    func summary(_ phase: Int) -> (peak: Int, avg: Int)? {
        count[phase] == 0 ? nil : (peak[phase], sum[phase] / count[phase])
    }
}
