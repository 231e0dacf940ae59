import Foundation
import Platform
import Results

/// Subjects interleaved in time: the kernel allocator's own drift (refills, grace periods,
/// slab state) moves a 200 ms repetition by ±10 %, far more than a policy's few ns. Here every
/// subject runs one step (`InterleavedStep`) in short slices (`sliceNs`), in an order shuffled
/// each round, and the workers switch subject on the same clock, so each round holds every
/// subject under the same conditions. One instance is one load of every subject's programs and
/// maps: the runner loads afresh per block, so code and map placement vary between blocks.
public final class KernelInterleaved: @unchecked Sendable {
    public let subjects: [KernelSubjectKind]
    public let steps: [InterleavedStep]
    let cpus: [Int]
    let k: Int
    /// Every loaded case (a subject has one per object file it needs).
    let loaded: [KernelCase]
    /// Per step, the subjects that run it: the case each runs in and the step's programs (one,
    /// or batch's fill and empty).
    let entries: [InterleavedStep: [Entry]]

    struct Entry {
        let subject: KernelSubjectKind
        let `case`: KernelCase
        let programs: [TestRunProgram]
    }

    /// Loads every subject's programs for `steps` once: the policies' strategies object with
    /// every step's programs; `kernel`'s obj_pair (pair) and obj_slots (batch, kptr-xchg).
    /// `mapValues`: the policies' maps hold that many values for `afterKill`.
    public init(subjects: [KernelSubjectKind], steps: [InterleavedStep], cpus: [Int], size: Int, opsPerRun: Int, mapValues: Int = 0,
                build: BPFBuild) throws(KernelUnavailable) {
        self.subjects = subjects
        self.steps = steps
        self.cpus = cpus
        self.k = opsPerRun
        var loaded: [KernelCase] = []
        var entries: [InterleavedStep: [Entry]] = [:]
        var complete = false
        defer { if !complete { for c in loaded { c.close() } } }
        for s in subjects {
            var byWorkload: [WorkloadKind: KernelCase] = [:]
            for step in steps {
                guard step.runs(s) else { continue }
                let workload = Self.loadWorkload(of: s, for: step)
                let c: KernelCase
                if let have = byWorkload[workload] { c = have } else {
                    var spec = KernelCaseSpec(subject: s, workload: workload, cpus: cpus, size: size, opsPerRun: opsPerRun)
                    spec.extraPrograms = Self.extraPrograms(of: s, steps: steps, loadedAs: workload)
                    if s.policy != nil { spec.mapValues = mapValues }
                    c = try KernelCase(spec: spec, build: build)
                    byWorkload[workload] = c
                    loaded.append(c)
                }
                let wanted = Self.programNames(of: s, for: step, in: c.spec)
                let found = wanted.compactMap { c.programs[$0] }
                guard !wanted.isEmpty, found.count == wanted.count else { throw KernelUnavailable(reason: "program missing", note: "\(s.rawValue): \(wanted)") }
                entries[step, default: []].append(Entry(subject: s, case: c, programs: found))
            }
        }
        self.loaded = loaded
        self.entries = entries
        complete = true
    }

    /// The case a subject runs a step from: a policy's one strategies object (loaded as its
    /// kptr-xchg case, whose map holds every step's slots); `kernel`'s obj_pair or obj_slots.
    static func loadWorkload(of s: KernelSubjectKind, for step: InterleavedStep) -> WorkloadKind {
        if s.policy != nil { return .kptrXchg }
        return step == .pair ? .pair : .kptrXchg
    }

    static func extraPrograms(of s: KernelSubjectKind, steps: [InterleavedStep], loadedAs workload: WorkloadKind) -> [BPFProgramID] {
        guard let p = s.policy else {
            return workload == .kptrXchg && (steps.contains(.batch) || steps.contains(.remote)) ? [ObjSlotsProgram.stash.id] : []
        }
        return (steps.contains(.pair) ? [p.program(.pair).id] : []) + (steps.contains(.accounting) ? [p.program(.acct).id] : [])
    }

    static func programNames(of s: KernelSubjectKind, for step: InterleavedStep, in spec: KernelCaseSpec) -> [BPFProgramID] {
        let names = spec.programNames
        switch step {
        case .pair: return [names.pair]
        case .accounting: return [s.policy!.program(.acct).id]
        case .batch, .remote: return [names.fill, names.empty]
        case .kptrXchg: return names.xchg.map { [$0] } ?? []
        }
    }

    /// ns/op per op, round and subject, round 0 (warm-up) dropped; the ns are one worker's time
    /// per op, summed over workers like the runner's ns_per_op. A slice in which no worker
    /// completed a run (the workers stalled for the whole slice) is NaN, never 0: callers drop
    /// that round (`InterleavedRounds.completed`).
    public func run(_ step: InterleavedStep, rounds: Int, sliceNs: Int) throws(KernelCaseFailure) -> InterleavedRounds {
        guard let entries = entries[step] else { throw KernelCaseFailure("\(step.rawValue) was not loaded") }
        if step == .remote { return try runRemote(entries, rounds: rounds, sliceNs: sliceNs) }
        let n = entries.count, opCount = step.ops.count
        let slices = (rounds + 1) * n
        let acc = SliceAccumulators(cells: cpus.count * slices * opCount)
        defer { acc.deallocate() }
        // A fresh random order each round, the same for both workers: a rotation keeps every
        // subject behind the same predecessor, whose allocator state (refills, irq_work) it
        // inherits; with identical code the null then read +0.4 to +7 ns in 5 of 50 cells.
        let order = (0...rounds).map { _ in Array(0..<n).shuffled() }
        let start = monotonicNanoseconds() + 20_000_000
        let before = entries.map { e in cpus.map { ProvenanceCounters.read(e.case.object, cpu: $0) } }
        let perWorker = WorkerResults(count: cpus.count)
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    for slice in 0..<slices {
                        let round = slice / n, subject = order[round][slice % n]
                        let cell = ((index * slices) + round * n + subject) * opCount
                        try self.runSlice(step, entries[subject], worker: index, from: start + slice * sliceNs, to: start + (slice + 1) * sliceNs,
                                          into: acc, at: cell)
                    }
                    perWorker.set(index, .success(KernelTotals()))
                } catch { perWorker.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in perWorker.all { if case .failure(let e)? = r { throw e } }
        try checkProvenance(step, entries, before: before, acc: acc, rounds: rounds)
        let values = (0..<opCount).map { op in
            (1...rounds).map { round in
                (0..<n).map { s -> Double in
                    let cells = (0..<cpus.count).map { ((($0 * slices) + round * n + s) * opCount) + op }
                    let t = cells.reduce(0) { $0 + acc.ns[$1] }, o = cells.reduce(0) { $0 + acc.ops[$1] }
                    return o == 0 ? .nan : Double(t) / Double(o)
                }
            }
        }
        return InterleavedRounds(subjects: entries.map(\.subject), ops: step.ops, values: values)
    }

    /// One slice of one subject on one worker: runs until the slice's end, timing each run.
    private func runSlice(_ step: InterleavedStep, _ entry: Entry, worker: Int,
                          from sliceStart: Int, to sliceEnd: Int, into acc: SliceAccumulators, at cell: Int) throws(KernelCaseFailure) {
        let ops = step.opsPerRun(k), base = worker * k, c = entry.case, p = entry.programs
        var random = UInt32(truncatingIfNeeded: 0x9E37_79B9 &* (worker + 1) &+ sliceStart)
        while monotonicNanoseconds() < sliceStart {}
        var t = monotonicNanoseconds()
        while t < sliceEnd {
            switch step {
            case .pair, .accounting:
                try c.check(p[0].run(iterations: ops, base: base, seed: 1))
            case .batch:
                try c.check(p[0].run(iterations: ops, base: base, seed: 1))
                let t1 = monotonicNanoseconds()
                try c.check(p[1].run(iterations: ops, base: base))
                acc.ns[cell] += t1 - t; acc.ops[cell] += ops
                acc.ns[cell + 1] += monotonicNanoseconds() - t1; acc.ops[cell + 1] += ops
                t = monotonicNanoseconds()
                continue
            case .remote:
                throw KernelCaseFailure("remote runs in pairs of workers (runRemote)")
            case .kptrXchg:
                random = random &* 1_664_525 &+ 1_013_904_223
                try c.check(p[0].run(iterations: ops, base: c.spec.slots, seed: random))
            }
            let t1 = monotonicNanoseconds()
            acc.ns[cell] += t1 - t; acc.ops[cell] += ops
            t = t1
        }
    }

    /// Each subject's programs counted exactly the allocations timed on each CPU (and, but for
    /// kptr-xchg, whose old values are dropped by later exchanges, exactly the frees).
    private func checkProvenance(_ step: InterleavedStep, _ entries: [Entry],
                                 before: [[ProvenanceCounters]], acc: SliceAccumulators, rounds: Int) throws(KernelCaseFailure) {
        let n = entries.count, opCount = step.ops.count, slices = (rounds + 1) * n
        for (s, e) in entries.enumerated() {
            for (w, cpu) in cpus.enumerated() {
                let moved = ProvenanceCounters.read(e.case.object, cpu: cpu) - before[s][w]
                let timed = (0...rounds).reduce(0) { $0 + acc.ops[((w * slices) + $1 * n + s) * opCount] }
                let freesMatch = step == .kptrXchg ? moved.freed <= moved.allocated : moved.freed == UInt64(timed)
                guard moved.allocated == UInt64(timed), freesMatch, moved.failed == 0 else {
                    throw KernelCaseFailure("\(e.subject.rawValue) \(step.rawValue) on CPU \(cpu): programs counted \(moved.allocated) allocations and \(moved.freed) frees, the loader timed \(timed)")
                }
            }
        }
    }

    /// Ends the block with nothing outstanding: kptr-xchg's slots drained, every object the
    /// programs allocated freed (counted over every CPU), every policy's count back at its base
    /// reference with no release. Throws naming the subject otherwise.
    public func finish() throws(KernelCaseFailure) {
        let all = Array(0..<min(KernelCase.possibleCPUs, ProvenanceCounters.maxCPUs))
        for c in loaded {
            let name = c.spec.subject.rawValue
            if c.spec.workload == .kptrXchg { _ = try c.drain() }
            let total = ProvenanceCounters.read(c.object, cpus: all)
            guard total.allocated == total.freed, total.failed == 0 else {
                throw KernelCaseFailure("\(name): \(total.allocated) allocated, \(total.freed) freed at the block's end")
            }
            if let policy = c.spec.subject.policy, let state = c.policyState() {
                let base: UInt64 = policy.startsPerCPU ? KernelPolicy.bias + 1 : 1
                guard state.count == base, state.releases == 0 else {
                    throw KernelCaseFailure("\(name): count \(Int64(bitPattern: state.count &- base)) off its base at the block's end")
                }
            }
        }
    }

    public func close() { for c in loaded { c.close() } }
}
/// Per (worker, slice, op) ns and op counts; the pinned workers write disjoint cells.
final class SliceAccumulators: @unchecked Sendable {
    let ns: UnsafeMutableBufferPointer<Int>
    let ops: UnsafeMutableBufferPointer<Int>

    init(cells: Int) {
        ns = .allocate(capacity: cells); ops = .allocate(capacity: cells)
        ns.initialize(repeating: 0); ops.initialize(repeating: 0)
    }

    func deallocate() { ns.deallocate(); ops.deallocate() }
}
