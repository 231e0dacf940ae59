import Foundation
import Platform

/// Subjects interleaved in time: the kernel allocator's own drift (refills, grace periods,
/// slab state) moves a 200 ms repetition by ±10 %, far more than a policy's few ns. Here every
/// subject runs in short slices (`sliceNs`), in an order rotated each round, and the workers
/// switch subject on the same clock, so each round holds every subject under the same
/// conditions and the added ns is a within-round difference.
public final class KernelInterleaved: @unchecked Sendable {
    public enum Mode: String, Sendable {
        /// bpf_obj_new + accounting + bpf_obj_drop + accounting (the `pair` programs).
        case pair
        /// The accounting alone, no allocator (the `_acct` programs).
        case accounting
    }

    public let subjects: [KernelSubjectKind]
    public let mode: Mode
    let cases: [KernelCase]
    let cpus: [Int]
    let programs: [TestRunProgram]

    public init(subjects: [KernelSubjectKind], mode: Mode, cpus: [Int], size: Int, opsPerRun: Int, build: BPFBuild) throws(KernelUnavailable) {
        self.subjects = subjects
        self.mode = mode
        self.cpus = cpus
        var cases: [KernelCase] = []
        var programs: [TestRunProgram] = []
        for s in subjects {
            let c = try KernelCase(spec: KernelCaseSpec(subject: s, workload: .pair, cpus: cpus, size: size, opsPerRun: opsPerRun), build: build)
            let name: String
            switch mode {
            case .pair: name = c.spec.programNames.pair
            case .accounting:
                guard let p = s.policy else { throw KernelUnavailable(reason: "no accounting program", note: "\(s.rawValue) has no policy") }
                name = "\(p.prefix)_acct"
            }
            guard let program = c.programs[name] else { throw KernelUnavailable(reason: "program \(name) missing", note: s.rawValue) }
            cases.append(c)
            programs.append(program)
        }
        self.cases = cases
        self.programs = programs
    }

    /// ns/op per round (rows) and subject (columns), round 0 (warm-up) dropped; the ns are one
    /// worker's time per op, summed over workers like the runner's ns_per_op. A slice in which
    /// no worker completed a run (the workers stalled for the whole slice) is NaN, never 0: callers
    /// drop that round (`completeRounds`).
    public func run(rounds: Int, sliceNs: Int) throws(KernelCaseFailure) -> [[Double]] {
        let n = subjects.count
        let slices = (rounds + 1) * n
        let k = cases[0].spec.opsPerRun
        let perWorker = WorkerResults(count: cpus.count)
        let nsAcc = UnsafeMutableBufferPointer<Int>.allocate(capacity: cpus.count * slices)
        let opsAcc = UnsafeMutableBufferPointer<Int>.allocate(capacity: cpus.count * slices)
        nsAcc.initialize(repeating: 0); opsAcc.initialize(repeating: 0)
        defer { nsAcc.deallocate(); opsAcc.deallocate() }
        let ns = UnsafeSendable(nsAcc), ops = UnsafeSendable(opsAcc)
        let start = monotonicNanoseconds() + 20_000_000
        let before = cases.map { c in cpus.map { ProvenanceCounters.read(c.object, cpu: $0) } }
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    for slice in 0..<slices {
                        let round = slice / n
                        let subject = (slice % n + round) % n
                        let sliceStart = start + slice * sliceNs, sliceEnd = sliceStart + sliceNs
                        while monotonicNanoseconds() < sliceStart {}
                        var t = monotonicNanoseconds()
                        while t < sliceEnd {
                            guard try self.programs[subject].run(iterations: k, base: index * k) == 0 else {
                                throw KernelCaseFailure("\(self.subjects[subject].rawValue): bpf_obj_new returned NULL")
                            }
                            let t1 = monotonicNanoseconds()
                            ns.value[index * slices + round * n + subject] += t1 - t
                            ops.value[index * slices + round * n + subject] += k
                            t = t1
                        }
                    }
                    perWorker.set(index, .success(KernelTotals()))
                } catch { perWorker.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in perWorker.all { if case .failure(let e)? = r { throw e } }
        // Provenance: each subject's programs counted exactly the ops timed on each CPU.
        for (s, c) in cases.enumerated() {
            for (w, cpu) in cpus.enumerated() {
                let moved = ProvenanceCounters.read(c.object, cpu: cpu) - before[s][w]
                let timed = (0...rounds).reduce(0) { $0 + ops.value[w * slices + $1 * n + s] }
                guard moved.allocated == UInt64(timed), moved.freed == UInt64(timed), moved.failed == 0 else {
                    throw KernelCaseFailure("\(subjects[s].rawValue) on CPU \(cpu): programs counted \(moved.allocated), the loader timed \(timed)")
                }
            }
            if let state = c.policyState(), c.spec.subject.policy != nil {
                let base: UInt64 = c.spec.subject.policy!.startsPerCPU ? KernelPolicy.bias + 1 : 1
                guard state.count == base, state.releases == 0 else {
                    throw KernelCaseFailure("\(subjects[s].rawValue): count \(Int64(bitPattern: state.count &- base)) off its base after \(mode.rawValue) pairs")
                }
            }
        }
        return (1...rounds).map { round in
            (0..<n).map { s in
                let t = (0..<cpus.count).reduce(0) { $0 + ns.value[$1 * slices + round * n + s] }
                let o = (0..<cpus.count).reduce(0) { $0 + ops.value[$1 * slices + round * n + s] }
                return o == 0 ? .nan : Double(t) / Double(o)
            }
        }
    }

    /// The rounds in which every subject completed work (a NaN slice drops its whole round, so
    /// the rounds stay paired).
    public static func completeRounds(_ table: [[Double]]) -> [[Double]] {
        table.filter { $0.allSatisfy(\.isFinite) }
    }

    /// Every policy case ends its life: kill, frees, count at zero with one release.
    public func finish() throws(KernelCaseFailure) {
        for c in cases where c.spec.subject.policy != nil { _ = try c.lifecycle() }
    }

    public func close() { for c in cases { c.close() } }
}

/// A buffer the pinned workers write at disjoint indices.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
