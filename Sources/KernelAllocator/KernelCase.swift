import Atomics
import Foundation
import Platform
import Results

/// One kernel case: which subject and workload, on which CPUs, at which object size.
public struct KernelCaseSpec: Sendable, Equatable {
    public var subject: KernelSubjectKind
    public var workload: WorkloadKind
    /// One pinned worker per CPU; BPF_PROG_TEST_RUN runs on the caller's CPU.
    public var cpus: [Int]
    public var size: Int
    /// bpf_loop steps per BPF_PROG_TEST_RUN: one timed batch (the model's batch is 256).
    public var opsPerRun: Int
    /// Shared slots of the kptr-xchg map (the model's mapSlots).
    public var slots: Int

    /// Objects stashed before the kill (the phases' `--map-values`): policy subjects only.
    public var mapValues: Int

    /// Programs loaded beside the workload's own (the interleaved blocks run several steps
    /// from one load).
    public var extraPrograms: [BPFProgramID] = []

    public init(subject: KernelSubjectKind, workload: WorkloadKind, cpus: [Int], size: Int, opsPerRun: Int = 256, slots: Int = 1024,
                mapValues: Int = 0) {
        precondition(workload.hasKernelProgram, "\(workload) has no kernel program (KernelSubjectKind.unsupported says so first)")
        self.mapValues = mapValues
        self.subject = subject
        self.workload = workload
        self.cpus = cpus
        self.size = size
        self.opsPerRun = opsPerRun
        self.slots = slots
    }

    public var threads: Int { cpus.count }

    /// The object file and its programs for this case.
    var layout: (object: BPFSource, programs: [BPFProgramID], maps: [BPFMapID: UInt32]) {
        let k = UInt32(opsPerRun), t = UInt32(threads)
        switch (subject, workload) {
        case (.kernelHarness, _): return (.harness, [HarnessProgram.harness.id], [:])
        case (.kernel, .pair): return (.objPair, [ObjPairProgram.objPair.id], [:])
        case (.kernel, .batch), (.kernel, .remote): // remote: two banks per pair
            return (.objSlots, [ObjSlotsProgram.stash.id, ObjSlotsProgram.unstash.id], [ObjSlotsMap.slots.id: t * k])
        case (.kernel, .kptrXchg):
            return (.objSlots, [ObjSlotsProgram.xchgRandom.id, ObjSlotsProgram.unstash.id] + extraPrograms,
                    [ObjSlotsMap.slots.id: max(UInt32(slots), t * k)])
        case (.kernelHtab, .pair): return (.htabChurn, [HtabChurnProgram.updateDelete.id], [HtabChurnMap.table.id: max(t * k, 64)])
        case (.kernelHtab, _):
            return (.htabChurn, [HtabChurnProgram.insert.id, HtabChurnProgram.remove.id], [HtabChurnMap.table.id: max(t * k, 64)])
        default:
            let policy = subject.policy!
            let live: [PolicyOp]
            switch workload {
            case .pair: live = [.pair, .acct]
            case .kptrXchg: live = [.xchg]
            case .batch, .remote, .larson: live = []
            }
            let lifecycle: [StrategiesProgram] = [.reset, .kill, .fold, .walkArray]
            let programs = (live + [.stash, .unstash]).map { policy.program($0).id } + lifecycle.map(\.id) + extraPrograms
            let slotCount = max(t * k, workload == .kptrXchg ? UInt32(slots) : 0, UInt32(mapValues), 1)
            return (.strategies, programs, [StrategiesMap.slots.id: slotCount])
        }
    }

    /// The programs of the live workload: pair, fill (stash/insert), empty, exchange (none for
    /// a hash map).
    var programNames: (pair: BPFProgramID, fill: BPFProgramID, empty: BPFProgramID, xchg: BPFProgramID?) {
        switch subject {
        case .kernel, .kernelHarness: return (ObjPairProgram.objPair.id, ObjSlotsProgram.stash.id, ObjSlotsProgram.unstash.id, ObjSlotsProgram.xchgRandom.id)
        case .kernelHtab: return (HtabChurnProgram.updateDelete.id, HtabChurnProgram.insert.id, HtabChurnProgram.remove.id, nil)
        default:
            let p = subject.policy!
            return (p.program(.pair).id, p.program(.stash).id, p.program(.unstash).id, p.program(.xchg).id)
        }
    }
}

/// A loaded kernel case: its BPF object stays loaded across repetitions; `measure` runs one
/// timed phase on pinned workers and checks provenance before returning totals.
public final class KernelCase: @unchecked Sendable {
    public let spec: KernelCaseSpec
    let object: BPFObject
    /// The id this case's objects carry (the allocator the unload walk must find).
    let ownerID: UInt32 = 1
    let programs: [BPFProgramID: TestRunProgram]

    /// Compiles (or takes from the cache) and loads the case's programs.
    public init(spec: KernelCaseSpec, build: BPFBuild) throws(KernelUnavailable) {
        if let why = spec.subject.unsupported(spec.workload, threads: spec.threads) {
            throw KernelUnavailable(reason: why, note: "\(spec.subject.rawValue) \(spec.workload.rawValue) with \(spec.threads) worker(s)")
        }
        guard spec.opsPerRun > 0, spec.opsPerRun <= 1 << 23, spec.slots > 0 else {
            throw KernelUnavailable(reason: "ops per run out of range", note: "bpf_loop runs 1...8388608 steps")
        }
        guard spec.cpus.allSatisfy({ $0 < ProvenanceCounters.maxCPUs }) else {
            throw KernelUnavailable(reason: "CPU id beyond 255", note: "the programs count per CPU for CPUs 0-255")
        }
        guard spec.size >= 8, spec.size <= 4088, spec.size % 8 == 0 else {
            throw KernelUnavailable(reason: "size \(spec.size) not a kernel object size",
                                    note: "bpf_obj_new takes 8...4088-byte objects in multiples of 8 here")
        }
        self.spec = spec
        let layout = spec.layout
        object = try BPFObject(layout.object, objectSize: spec.size, build: build, maxEntries: layout.maps, autoload: Set(layout.programs))
        var found: [BPFProgramID: TestRunProgram] = [:]
        for p in layout.programs {
            let program = object.testRun(p)
            guard program.fd >= 0 else { throw KernelUnavailable(reason: "program \(p) missing", note: "\(object.path) has no program \(p)") }
            found[p] = program
        }
        programs = found
        do { try resetPolicy() } catch { throw KernelUnavailable(reason: "policy state not initialised", note: error.message) }
    }

    /// Runs the workload on one pinned worker per CPU for `warmupNs` (discarded) then
    /// `durationNs`, and returns the measured totals. Throws when an allocation failed, a run
    /// failed, or the programs' counters disagree with the operations timed.
    public func measure(durationNs: Int, warmupNs: Int) throws(KernelCaseFailure) -> KernelTotals {
        let workers = spec.threads
        let results = WorkerResults(count: workers)
        let start = SpinBarrier(parties: workers)
        let pairs = (0..<max(1, workers / 2)).map { _ in RemotePair() }
        do {
            try PinnedThread.run(on: spec.cpus) { index, cpu in
                start.wait()
                let begin = monotonicNanoseconds()
                let clock = PhaseClock(warmupEnd: begin + warmupNs, end: begin + warmupNs + durationNs, hasWarmup: warmupNs > 0)
                do throws(KernelCaseFailure) {
                    let totals: KernelTotals
                    if self.spec.workload == .remote {
                        totals = try self.remoteWorker(index: index, cpu: cpu, clock: clock, pair: pairs[index / 2])
                    } else {
                        totals = try self.independentWorker(index: index, cpu: cpu, clock: clock)
                    }
                    results.set(index, .success(totals))
                } catch {
                    results.set(index, .failure(error))
                    // A remote peer waits on this worker: release it by finishing the protocol.
                    if self.spec.workload == .remote { pairs[index / 2].abandon() }
                }
            }
        } catch {
            throw KernelCaseFailure("pinning failed: \(error)")
        }
        var sum = KernelTotals()
        for r in results.all {
            switch r {
            case .success(let t): sum.add(t)
            case .failure(let e): throw e
            case nil: throw KernelCaseFailure("a worker did not report")
            }
        }
        if spec.workload == .remote, let a = sum.nsPerOp(.alloc), let f = sum.nsPerOp(.free) {
            // One object's life across CPUs: its stash on one worker plus its drop on the other.
            sum.pairOps = min(sum.allocOps, sum.freeOps)
            sum.pairNs = Int((a + f) * Double(sum.pairOps))
        }
        return sum
    }

    /// pair, batch, kptr-xchg: each worker on its own slots or keys, no coordination.
    private func independentWorker(index: Int, cpu: Int, clock: PhaseClock) throws(KernelCaseFailure) -> KernelTotals {
        let k = spec.opsPerRun
        let base = index * k
        var random = UInt32(truncatingIfNeeded: 0x9E37_79B9 &* (index + 1))
        let names = spec.programNames
        var totals = KernelTotals()
        var expected = ProvenanceCounters()
        var before = ProvenanceCounters.read(object, cpu: cpu)
        var measuring = false
        while true {
            let t0 = monotonicNanoseconds()
            // At least one measured batch, even for a worker preempted past its window.
            if t0 >= clock.end && totals.runs > 0 { break }
            if !measuring && t0 >= clock.warmupEnd {
                measuring = true
                before = ProvenanceCounters.read(object, cpu: cpu)
            }
            var step = KernelTotals()
            switch (spec.subject, spec.workload) {
            case (.kernelHarness, _):
                try check(programs[HarnessProgram.harness.id]!.run(iterations: k))
                step.pairOps = k; step.pairNs = monotonicNanoseconds() - t0
                expected.allocated += UInt64(measuring ? k : 0)
            case (_, .pair):
                try check(programs[names.pair]!.run(iterations: k, base: base, seed: ownerID))
                step.pairOps = k; step.pairNs = monotonicNanoseconds() - t0
                if measuring { expected.allocated += UInt64(k); expected.freed += UInt64(k) }
            case (_, .batch):
                try check(programs[names.fill]!.run(iterations: k, base: base, seed: ownerID))
                let t1 = monotonicNanoseconds()
                try check(programs[names.empty]!.run(iterations: k, base: base))
                step.allocOps = k; step.allocNs = t1 - t0
                step.freeOps = k; step.freeNs = monotonicNanoseconds() - t1
                if measuring { expected.allocated += UInt64(k); expected.freed += UInt64(k) }
            case (_, .kptrXchg):
                random = random &* 1_664_525 &+ 1_013_904_223
                try check(programs[names.xchg!]!.run(iterations: k, base: spec.slots, seed: random))
                step.pairOps = k; step.pairNs = monotonicNanoseconds() - t0
                if measuring { expected.allocated += UInt64(k) }
            default:
                throw KernelCaseFailure("\(spec.workload.rawValue) is not an independent workload")
            }
            step.runs = spec.workload == .batch ? 2 : 1
            if measuring { totals.add(step) }
        }
        let moved = ProvenanceCounters.read(object, cpu: cpu) - before
        try verify(moved: moved, expected: expected, cpu: cpu)
        return totals
    }

    /// remote: worker 2j stashes (inserts) one bank per round while worker 2j+1 exchanges out
    /// and drops (deletes) the bank stashed the round before; a barrier ends each round.
    private func remoteWorker(index: Int, cpu: Int, clock: PhaseClock, pair: RemotePair) throws(KernelCaseFailure) -> KernelTotals {
        let k = spec.opsPerRun
        let producer = index % 2 == 0
        let region = (index / 2) * 2 * k
        let (fill, empty) = (spec.programNames.fill, spec.programNames.empty)
        var totals = KernelTotals()
        var expected = ProvenanceCounters()
        var before = ProvenanceCounters.read(object, cpu: cpu)
        // The producer decides, for both, when the warm-up ends and when to stop (each worker's
        // own clock could disagree by a preemption: a worker that never saw its window open
        // would report operations its peer timed).
        var measuring = !clock.hasWarmup
        var producing = true, producedLastRound = false
        var round = 0
        while true {
            let t0 = monotonicNanoseconds()
            var failure: KernelCaseFailure?
            if producer && producing && !pair.abandoned {
                do {
                    try check(programs[fill]!.run(iterations: k, base: region + (round & 1) * k, seed: ownerID))
                    if measuring {
                        totals.allocOps += k; totals.allocNs += monotonicNanoseconds() - t0; totals.runs += 1
                        expected.allocated += UInt64(k)
                    }
                } catch { failure = error }
                let now = monotonicNanoseconds()
                pair.publish(round: round, stop: (measuring && now >= clock.end) || failure != nil, measure: now >= clock.warmupEnd)
            }
            if !producer && producedLastRound && !pair.abandoned {
                do {
                    try check(programs[empty]!.run(iterations: k, base: region + ((round - 1) & 1) * k))
                    if measuring {
                        totals.freeOps += k; totals.freeNs += monotonicNanoseconds() - t0; totals.runs += 1
                        expected.freed += UInt64(k)
                    }
                } catch { failure = error }
            }
            if let failure {
                // Arrive once more so a peer waiting in this round's barrier is released.
                pair.abandon()
                pair.barrier.wait()
                throw failure
            }
            pair.barrier.wait()
            if pair.abandoned { throw KernelCaseFailure("the remote peer on the other CPU failed") }
            producedLastRound = producing
            producing = producing && !pair.stop(round: round)
            if !measuring && pair.measure(round: round) {
                // Both workers' programs of this round have finished: counting starts here.
                measuring = true
                before = ProvenanceCounters.read(object, cpu: cpu)
            }
            if !producing && !producedLastRound { break }
            round += 1
        }
        let moved = ProvenanceCounters.read(object, cpu: cpu) - before
        try verify(moved: moved, expected: expected, cpu: cpu)
        return totals
    }

    /// A program's nonzero return value means a step failed (its counters say which).
    @inline(__always)
    func check(_ retval: UInt32) throws(KernelCaseFailure) {
        guard retval == 0 else {
            if retval == UInt32.max { throw KernelCaseFailure("\(spec.subject.rawValue) program refused its parameters") }
            throw KernelCaseFailure(spec.subject == .kernelHtab ? "a no-prealloc hash map insert failed (bpf_mem_alloc returned NULL)"
                                                                 : "bpf_obj_new returned NULL: the kernel allocator failed")
        }
    }

    /// Provenance: the programs on this CPU counted exactly the operations this worker timed.
    private func verify(moved: ProvenanceCounters, expected: ProvenanceCounters, cpu: Int) throws(KernelCaseFailure) {
        let name = "\(spec.subject.rawValue) \(spec.workload.rawValue) on CPU \(cpu)"
        if moved.failed != 0 { throw KernelCaseFailure("\(name): \(moved.failed) allocations failed in the kernel") }
        if moved.allocated != expected.allocated {
            throw KernelCaseFailure("\(name): programs counted \(moved.allocated) allocations, the loader timed \(expected.allocated)")
        }
        switch spec.workload {
        case .kptrXchg:
            if moved.freed + moved.empty != expected.allocated {
                throw KernelCaseFailure("\(name): \(moved.freed) drops + \(moved.empty) empty slots for \(expected.allocated) exchanges")
            }
        default:
            if moved.freed != expected.freed || moved.empty != 0 {
                throw KernelCaseFailure("\(name): programs counted \(moved.freed) frees (\(moved.empty) missing objects), the loader timed \(expected.freed)")
            }
        }
    }

    /// Empties whatever the workload left in the map (kptr-xchg leaves its slots full) and
    /// returns how many objects were dropped. Untimed; runs on the caller's CPU.
    @discardableResult
    public func drain() throws(KernelCaseFailure) -> Int {
        guard spec.subject != .kernelHtab, spec.workload == .kptrXchg, let unstash = programs[spec.programNames.empty] else { return 0 }
        let cpu = Pinning.currentCPU()
        let before = ProvenanceCounters.read(object, cpu: cpu)
        _ = try unstash.run(iterations: spec.slots, base: 0)
        return Int((ProvenanceCounters.read(object, cpu: cpu) - before).freed)
    }

    /// Counters summed over this case's CPUs (for tests and provenance reports).
    public func counters() -> ProvenanceCounters { ProvenanceCounters.read(object, cpus: spec.cpus) }

    public func close() { object.close() }
}

/// When a worker's measured phase begins and ends (CLOCK_MONOTONIC ns).
struct PhaseClock {
    let warmupEnd: Int
    let end: Int
    let hasWarmup: Bool
}

/// The two workers of one remote pair: their barrier and the producer's measure/stop decisions
/// (double-buffered by round parity so the next round's write cannot race this round's read).
final class RemotePair: @unchecked Sendable {
    let barrier = SpinBarrier(parties: 2)
    private let stops = [ManagedAtomic<Bool>(false), ManagedAtomic<Bool>(false)]
    private let measures = [ManagedAtomic<Bool>(false), ManagedAtomic<Bool>(false)]
    private let failed = ManagedAtomic<Bool>(false)

    /// The producer's decisions after its run of `round`, read by both after the barrier.
    func publish(round: Int, stop: Bool, measure: Bool) {
        measures[round & 1].store(measure, ordering: .releasing)
        stops[round & 1].store(stop, ordering: .releasing)
    }
    func measure(round: Int) -> Bool { measures[round & 1].load(ordering: .acquiring) }
    func stop(round: Int) -> Bool { stops[round & 1].load(ordering: .acquiring) || failed.load(ordering: .acquiring) }
    var abandoned: Bool { failed.load(ordering: .acquiring) }
    func abandon() { failed.store(true, ordering: .releasing) }
}

/// Per-worker outcomes, each slot written by one worker.
final class WorkerResults: @unchecked Sendable {
    private(set) var all: [Result<KernelTotals, KernelCaseFailure>?]
    private let lock = NSLock()
    init(count: Int) { all = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ r: Result<KernelTotals, KernelCaseFailure>) {
        lock.lock(); all[index] = r; lock.unlock()
    }
}
