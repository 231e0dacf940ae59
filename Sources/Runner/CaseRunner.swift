import Atomics
import Glibc
import Histogram
import Platform
import Results
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
    /// After the kill, every worker at once frees the objects of its half of the map
    /// (`post-kill`/`free`): the frees of objects that outlived their allocator map while other
    /// programs still run, each paying the strategy's put.
    var postKillFree = PhaseCounters()
    var kill = KillTimings()
    /// The map's free: one thread frees every remaining object (`drain`), no contention; the
    /// last free releases a refcounted allocator.
    var drain = PhaseCounters()
    var teardown: TeardownResult
    var bytes: [Results.Phase: (peak: Int, avg: Int)] = [:]
    var liveLatency: (alloc: Histogram<UInt64>, free: Histogram<UInt64>)?
    /// Frees timed alone after the kill: racing it, every worker at once, the map's free.
    var killLatency: Histogram<UInt64>?
    var postKillLatency: Histogram<UInt64>?
    var drainLatency: Histogram<UInt64>?
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

/// Runs the phases of one repetition (README "What a run does"):
/// `live` → stash → `kill` → `post-kill` (concurrent frees) → `drain` (the map's free, one
/// thread) → teardown, on pinned workers that stay up the whole time (so the kill's grace
/// period waits for real readers). Nothing is allocated after the kill: no design can, once the
/// allocator map is gone. The coordinator sleeps on a condition until the workers reach the
/// kill window, kills (timed: the caller's cost), completes a queued switch (grace period and
/// fold, off the measured path), then sleeps until the workers are done: it never wakes on a
/// timer, so it never takes a worker's CPU while a phase is measured.
enum CaseRunner {
    static func runRepetition<S: CaseSubject, W: Workload>(
        subject: S, workload: W.Type, spec: CaseSpec, settings: RunSettings, repetition: Int,
        latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double)
    ) throws -> RepetitionResult {
        let run = RepetitionRun<S, W>(subject: subject, spec: spec, settings: settings, repetition: repetition,
                                      latencyCalibration: latencyCalibration)
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
    enum Phase: Int { case live = 0, kill }

    let subject: S
    let spec: CaseSpec
    let settings: RunSettings
    let latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double)
    let shared: WorkloadShared
    let barrier: SpinBarrier
    let inKillWindow = ManagedAtomic<Int>(0)
    let killWindowReached = PhaseSignal()
    let killDone = StopFlag()
    let abort = StopFlag()
    let slotsPerWorker: Int

    // Per-worker results, written by their worker only, read after join.
    var live: [PhaseCounters]
    var post: [PhaseCounters]
    var drain = PhaseCounters()
    var liveLatency: [LatencyRecorder?]
    /// Frees timed alone after the kill (`settings.latency`): racing the kill (the in-flight
    /// frees of the kill window, while a percpu_ref's switch is queued), every worker's first
    /// quarter of its concurrent half, and worker 0's first quarter of the map's free.
    var killLatency: [LatencyRecorder?]
    var postKillLatency: [LatencyRecorder?]
    var drainLatency: LatencyRecorder?
    var destroyInDrainNs: Int?
    var warmSink: [UInt8]
    /// Worker 0 samples the subject's held bytes at batch boundaries (it reads the clock there
    /// anyway), so sampling needs no thread of its own.
    var memory = MemorySampler()

    init(subject: S, spec: CaseSpec, settings: RunSettings, repetition: Int,
         latencyCalibration: (overheadTicks: UInt64, ticksPerNs: Double)) {
        self.subject = subject
        self.spec = spec
        self.settings = settings
        self.latencyCalibration = latencyCalibration
        let t = spec.threads
        shared = WorkloadShared(size: spec.size, threads: t, mapSlots: settings.mapSlots,
                                seed: settings.seed &+ UInt64(repetition) &* 7919)
        barrier = SpinBarrier(parties: t)
        slotsPerWorker = settings.mapSlots / t
        live = .init(repeating: .init(), count: t)
        post = .init(repeating: .init(), count: t)
        liveLatency = .init(repeating: nil, count: t)
        killLatency = .init(repeating: nil, count: t)
        postKillLatency = .init(repeating: nil, count: t)
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
        // After the kill: frees only. First every worker at once (its own half of its stash),
        // then the map's free on one thread (everything left).
        var half = concurrentHalf(slots)
        if settings.latency {
            barrier.wait()
            let timed = Self.latencyQuarter(half)
            postKillLatency[w] = freeLatencyPass(target, cpu: cpu, slots: [timed])
            half = timed.upperBound..<half.upperBound
        }
        freeTimed(target, w, cpu: cpu, slots: [half], into: &post[w], timesDestroy: false)
        barrier.wait()
        if w == 0 {
            var rest = (0..<spec.threads).map { mapFreeHalf(slotRange($0)) }
            if settings.latency {
                // Never the last free: that one may destroy, and has its own row.
                let timed = rest.map(Self.latencyQuarter)
                drainLatency = freeLatencyPass(target, cpu: cpu, slots: timed)
                rest = zip(rest, timed).map { $1.upperBound..<$0.upperBound }
            }
            freeTimed(target, w, cpu: cpu, slots: rest, into: &drain, timesDestroy: true)
        }
        barrier.wait()
    }

    func slotRange(_ w: Int) -> Range<Int> {
        let lo = w * slotsPerWorker
        return lo..<(w == spec.threads - 1 ? settings.mapSlots : lo + slotsPerWorker)
    }

    /// The first half of a worker's stash: freed by that worker in the concurrent phase.
    func concurrentHalf(_ r: Range<Int>) -> Range<Int> { r.lowerBound..<(r.lowerBound + r.count / 2) }
    /// The second half: left for the map's free.
    func mapFreeHalf(_ r: Range<Int>) -> Range<Int> { (r.lowerBound + r.count / 2)..<r.upperBound }

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
        } while t - start < ns && counters.failedAllocations == 0 && !RunInterrupt.isSet
        barrier.wait()  // nobody produces any more: rings can be emptied
        wl.finish(tgt, cpu: cpu)
        barrier.wait()
    }

    /// The first quarter of a range of slots, at most 4096: the frees timed alone after the kill
    /// (the rest keep the chunked rates and ratios).
    static func latencyQuarter(_ r: Range<Int>) -> Range<Int> { r.lowerBound..<(r.lowerBound + min(r.count / 4, 4096)) }

    /// Frees `slots`' objects timed alone, for the percentiles after the kill.
    func freeLatencyPass<T: WorkloadTarget>(_ tgt: T, cpu: Int, slots: [Range<Int>]) -> LatencyRecorder {
        var rec = LatencyRecorder(overheadTicks: latencyCalibration.overheadTicks, ticksPerNs: latencyCalibration.ticksPerNs)
        for r in slots { rec.freeSlots(tgt, cpu: cpu, slots: r, chunk: Self.freeChunk) }
        return rec
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
        var racing = settings.latency
            ? LatencyRecorder(overheadTicks: latencyCalibration.overheadTicks, ticksPerNs: latencyCalibration.ticksPerNs) : nil
        while !killDone.isSet && !abort.isSet {
            for _ in 0..<16 {
                guard let p = reserve.popLast() else { break }
                // Timed alone when the latency pass is on: the frees racing the kill.
                if racing != nil { racing!.timeFree(target, p, cpu: cpu) } else { target.free(p, cpu: cpu) }
            }
            subject.quiescent(cpu: cpu)
            if w == 0 { memory.sampleIfDue(Phase.kill.rawValue, at: now()) { subject.heldBytes() } }
            TimeStampCounter.relax()
        }
        for p in reserve { target.free(p, cpu: cpu) }
        killLatency[w] = racing
        barrier.wait()
    }

    /// Objects per timed free chunk: 128 (12 KiB of units, 1 KiB of slots) stay in the 32 KiB
    /// L1 through the write, control and free passes; a phase of 8 Ki frees gives 64 chunks.
    /// One clock step (10 ns here) is 3 % of a 64-object chunk's ~300 ns and showed as a grid in
    /// the ratios; at 128 it is half that, and the statistics sum over chunks.
    static var freeChunk: Int { 128 }

    /// Takes every object out of `slots` and frees it, timed per chunk with the fenced TSC (the
    /// clock read pair's mean cost, measured just before, taken out of every reading). Every
    /// subject frees from the same cache state: an untimed pass *writes* each of the chunk's
    /// objects (and reads its slot), so its lines sit modified in this CPU's L1 whatever the
    /// preceding phase did (an unload walk on the coordinator left them shared with another
    /// CPU). Then two timed passes over the same slots: the **control** (take the object out of
    /// its slot, write it, put it back: the map exchanges and the memory of the free, without
    /// the free) and the **frees** (the map exchange, the strategy's put and `unit_free`).
    ///
    /// The host's speed moves both alike (the control ran at 4.9 to 6.6 ns per object from one
    /// phase to the next), so `over_control` (frees / control) is what strategies are
    /// compared on. Either loop also has a slow mode (twice the time for stretches of a phase
    /// while the other loop runs at its usual rate; not the layout, cause unknown; identical
    /// paths show it alike): the phase's ratio sums the faster half of its chunks, which steps
    /// past it unless it lasts the whole phase. The ns figure is the interquartile mean of the
    /// chunks' rates: not tied to the clock's 10 ns steps as one median chunk would be. All
    /// workers start together. With `timesDestroy`, a destroy at the last free is timed on its
    /// own (`destroy` row) and taken out of its chunk.
    func freeTimed<T: WorkloadTarget>(_ target: T, _ w: Int, cpu: Int, slots: [Range<Int>], into counters: inout PhaseCounters,
                                      timesDestroy: Bool) {
        let chunk = Self.freeChunk
        let ticksPerNs = latencyCalibration.ticksPerNs
        let chunks = slots.reduce(0) { $0 + ($1.count + chunk - 1) / chunk }
        var perObjectNs = [Double](), controlPerObjectNs = [Double]()
        perObjectNs.reserveCapacity(chunks)
        controlPerObjectNs.reserveCapacity(chunks)
        var sink: UInt8 = 0
        let readPair = TimeStampCounter.measureMeanOverheadTicks()
        if !timesDestroy { barrier.wait() }
        var freed = 0
        for (i, range) in slots.enumerated() {
            var start = range.lowerBound
            while start < range.upperBound {
                let end = min(start + chunk, range.upperBound)
                Self.touch(target, cpu: cpu, slots: start..<end, sink: &sink)
                let c0 = TimeStampCounter.start()
                Self.touch(target, cpu: cpu, slots: start..<end, sink: &sink)
                let c1 = TimeStampCounter.stop()
                let t0 = TimeStampCounter.start()
                var n = 0
                for slot in start..<end {
                    if let p = target.exchange(slot: slot, with: nil, cpu: cpu) {
                        target.free(p, cpu: cpu)
                        n += 1
                    }
                }
                let t1 = TimeStampCounter.stop()
                var elapsed = max(Double(t1 &- t0) - readPair, 0) / ticksPerNs
                if timesDestroy, i == slots.count - 1, end == range.upperBound,
                   let destroy = subject.destroyNanosecondsIfDestroyedByCallingThread() {
                    destroyInDrainNs = destroy
                    elapsed = max(elapsed - Double(destroy), 0)
                }
                let control = max(Double(c1 &- c0) - readPair, 0) / ticksPerNs
                if n > 0 {
                    perObjectNs.append(elapsed / Double(n))
                    controlPerObjectNs.append(control / Double(n))
                }
                freed += n
                start = end
            }
        }
        warmSink[w] = sink
        let rate = ChunkStatistics.interquartileMean(perObjectNs)
        counters.freeNs = max(Int((rate * Double(freed)).rounded()), freed > 0 ? 1 : 0)
        counters.freeOps = freed
        if let r = ChunkStatistics.fasterHalfRatio(free: perObjectNs, control: controlPerObjectNs) {
            counters.overControlSum = r
            counters.overControlWorkers = 1
        }
    }

    @inline(__always)
    static func touch<T: WorkloadTarget>(_ target: T, cpu: Int, slots: Range<Int>, sink: inout UInt8) {
        SlotTouch.touch(target, cpu: cpu, slots: slots, sink: &sink)
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
            if let c = subject.confirmKill(since: since) {
                kill.confirmNs = c.confirmNs
                kill.graceNs = c.graceNs
                kill.foldNs = c.foldNs
            }
        }
        killDone.set()
        return kill
    }

    // MARK: Results

    func collect(kill: KillTimings) throws -> RepetitionResult {
        var teardown = subject.teardown()
        if let d = destroyInDrainNs {
            teardown.destroyNs = d
            teardown.destroyPhase = .drain
        }
        var result = RepetitionResult(teardown: teardown)
        for c in live { result.live.add(c) }
        result.liveWorkers = spec.threads
        for c in post { result.postKillFree.add(c) }
        result.drain = drain
        result.kill = kill
        for (ph, name) in [(Phase.live, Results.Phase.live), (.kill, Results.Phase.kill)] {
            if let b = memory.summary(ph.rawValue) { result.bytes[name] = b }
        }
        result.liveLatency = merge(liveLatency)
        result.killLatency = merge(killLatency)?.free
        result.postKillLatency = merge(postKillLatency)?.free
        result.drainLatency = drainLatency?.free
        result.interrupted = RunInterrupt.isSet
        if result.live.failedAllocations > 0 {
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
    var peak = [Int](repeating: 0, count: 2)
    var sum = [Int](repeating: 0, count: 2)
    var count = [Int](repeating: 0, count: 2)

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
