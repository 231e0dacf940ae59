import Foundation
import Platform
import Results

/// The frees after the kill, interleaved across the policies of one block, as rounds like the
/// live steps': ns per free per round (a chunk of k per policy) and policy subject, of the
/// concurrent frees (every worker its stripe of the first half) and of the map free (one
/// thread, the second half).
public struct AfterKillFrees: Sendable {
    public let killFree: InterleavedRounds
    public let mapFree: InterleavedRounds
}

extension KernelInterleaved {
    /// After the block's steps (`finish` first): every policy stashes `values` objects, runs its
    /// own kill (walk, kill, grace period and fold as it does them), then all get the same
    /// untimed steps (one grace period, then every policy's values walked once, in a shuffled
    /// order) and their timed frees interleave: chunks of k, one chunk per policy per round in
    /// a shuffled order, the workers meeting before each chunk, so every policy frees under
    /// the same conditions. Each map's end then runs; every count must end at 0 with one release.
    public func afterKill(values: Int) throws(KernelCaseFailure) -> AfterKillFrees {
        let cases = loaded.filter { $0.spec.subject.policy != nil }
        guard values >= 2 * cpus.count, cases.allSatisfy({ $0.spec.mapValues >= values }) else {
            throw KernelCaseFailure("after the kill: \(values) values do not fit the loaded maps or the \(cpus.count) workers")
        }
        for c in cases { try c.stash(values) }
        var killed: [KillTimes] = []
        for c in cases { killed.append(try c.killAtUnload(c.spec.subject.policy!, values: values, name: c.spec.subject.rawValue)) }
        _ = try KernelCase.kernelGracePeriod()
        for i in cases.indices.shuffled() { _ = try cases[i].warmUpWalk(values: values, name: cases[i].spec.subject.rawValue) }
        let killFree = try concurrentFrees(cases, range: 0..<(values / 2))
        let mapFree = try cases[0].onFirstCPU { () throws(KernelCaseFailure) -> [[Double]] in
            try Self.interleavedFrees(cases, ranges: [(values / 2)..<values], k: self.k)
        }
        for (c, times) in zip(cases, killed) {
            _ = try c.afterMapFree(c.spec.subject.policy!, killed: times)
            guard let end = c.policyState(), end.count == 0, end.releases == 1 else {
                throw KernelCaseFailure("\(c.spec.subject.rawValue) after the kill: the count does not end at 0 with exactly one release")
            }
        }
        let subjects = cases.map(\.spec.subject)
        return AfterKillFrees(killFree: InterleavedRounds(subjects: subjects, ops: [.killFree], values: [killFree]),
                              mapFree: InterleavedRounds(subjects: subjects, ops: [.mapFree], values: [mapFree]))
    }

    /// Every worker frees its stripe of `range`; per round and case the round's ns per free (one
    /// worker's time per free summed over workers, like ns_per_op). Callers take medians over
    /// rounds, not a mean: one irq_work refill (~12 µs here) inside one chunk of 256 frees
    /// (~11 µs) doubles that chunk, and which policy it lands on is chance.
    private func concurrentFrees(_ cases: [KernelCase], range: Range<Int>) throws(KernelCaseFailure) -> [[Double]] {
        let barrier = SpinBarrier(parties: cpus.count)
        let perWorker = FreeResults(count: cpus.count)
        let stripes = (0..<cpus.count).map { cases[0].stripe($0, of: cpus.count, in: range) }
        let rounds = stripes.map { ($0.1 - $0.0 + k - 1) / k }.max() ?? 0
        let n = cases.count
        // One order per round, shared by the workers: they free the same policy at once.
        let order = (0..<rounds).map { _ in Array(cases.indices).shuffled() }
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    var ns = [Int](repeating: 0, count: rounds * n), ops = ns
                    let (lo, hi) = stripes[index]
                    for r in 0..<rounds {
                        for s in order[r] {
                            barrier.wait()
                            let chunk = min(hi, lo + r * self.k)..<min(hi, lo + (r + 1) * self.k)
                            let t = try cases[s].timedFrees(chunk)
                            ns[r * n + s] += t.freeNs; ops[r * n + s] += t.freeOps
                        }
                    }
                    perWorker.set(index, .success((ns, ops)))
                } catch {
                    barrier.cancel()
                    perWorker.set(index, .failure(error))
                }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        var ns = [Int](repeating: 0, count: rounds * n), ops = ns
        for r in perWorker.all {
            guard case .success(let w)? = r else {
                if case .failure(let e)? = r { throw e }
                throw KernelCaseFailure("a worker did not report")
            }
            for i in ns.indices { ns[i] += w.0[i]; ops[i] += w.1[i] }
        }
        return Self.perRound(ns: ns, ops: ops, cases: n)
    }

    /// One thread frees `ranges` in chunks of k, one chunk per case per round, order shuffled;
    /// ns per free per round (chunk) and case.
    static func interleavedFrees(_ cases: [KernelCase], ranges: [Range<Int>], k: Int) throws(KernelCaseFailure) -> [[Double]] {
        var ns: [Int] = [], ops: [Int] = []
        for range in ranges {
            var at = range.lowerBound
            while at < range.upperBound {
                let chunk = at..<min(range.upperBound, at + k)
                var roundNs = [Int](repeating: 0, count: cases.count), roundOps = roundNs
                for s in Array(cases.indices).shuffled() {
                    let t = try cases[s].timedFrees(chunk)
                    roundNs[s] = t.freeNs; roundOps[s] = t.freeOps
                }
                ns += roundNs; ops += roundOps
                at = chunk.upperBound
            }
        }
        return perRound(ns: ns, ops: ops, cases: cases.count)
    }

    /// `ns`/`ops` hold rounds × cases (round-major): ns per free per round and case, NaN where a
    /// case freed nothing in a round (a stripe shorter than the others).
    static func perRound(ns: [Int], ops: [Int], cases: Int) -> [[Double]] {
        stride(from: 0, to: ns.count, by: cases).map { r in
            (0..<cases).map { s in ops[r + s] == 0 ? .nan : Double(ns[r + s]) / Double(ops[r + s]) }
        }
    }
}

/// Per-worker results of the concurrent frees: ns and frees per case.
final class FreeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<([Int], [Int]), KernelCaseFailure>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ r: Result<([Int], [Int]), KernelCaseFailure>) {
        lock.lock(); results[index] = r; lock.unlock()
    }

    var all: [Result<([Int], [Int]), KernelCaseFailure>?] {
        lock.lock(); defer { lock.unlock() }
        return results
    }
}
