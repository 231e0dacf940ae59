import Foundation
import Platform

/// The frees after the kill, interleaved across the policies of one block: ns per free of the
/// concurrent frees (every worker its stripe of the first half) and of the map free (one
/// thread, the second half), per policy subject (`subjects` order).
public struct AfterKillFrees: Sendable {
    public let subjects: [KernelSubjectKind]
    public let killFree: [Double]
    public let mapFree: [Double]
    /// The rows' op names.
    public static let ops = (killFree: "kill-free", mapFree: "map-free")
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
        let mapFree = try cases[0].onFirstCPU { () throws(KernelCaseFailure) -> [Double] in
            try Self.interleavedFrees(cases, ranges: [(values / 2)..<values], k: self.k)
        }
        for (c, times) in zip(cases, killed) {
            _ = try c.afterMapFree(c.spec.subject.policy!, killed: times)
            guard let end = c.policyState(), end.count == 0, end.releases == 1 else {
                throw KernelCaseFailure("\(c.spec.subject.rawValue) after the kill: the count does not end at 0 with exactly one release")
            }
        }
        return AfterKillFrees(subjects: cases.map(\.spec.subject), killFree: killFree, mapFree: mapFree)
    }

    /// Every worker frees its stripe of `range`; ns per free per case, one worker's time per
    /// free summed over workers like ns_per_op.
    private func concurrentFrees(_ cases: [KernelCase], range: Range<Int>) throws(KernelCaseFailure) -> [Double] {
        let barrier = SpinBarrier(parties: cpus.count)
        let perWorker = FreeResults(count: cpus.count)
        let stripes = (0..<cpus.count).map { cases[0].stripe($0, of: cpus.count, in: range) }
        let rounds = stripes.map { ($0.1 - $0.0 + k - 1) / k }.max() ?? 0
        // One order per round, shared by the workers: they free the same policy at once.
        let order = (0..<rounds).map { _ in Array(cases.indices).shuffled() }
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    var ns = [Int](repeating: 0, count: cases.count), ops = ns
                    let (lo, hi) = stripes[index]
                    for r in 0..<rounds {
                        for s in order[r] {
                            barrier.wait()
                            let chunk = min(hi, lo + r * self.k)..<min(hi, lo + (r + 1) * self.k)
                            let t = try cases[s].timedFrees(chunk)
                            ns[s] += t.freeNs; ops[s] += t.freeOps
                        }
                    }
                    perWorker.set(index, .success((ns, ops)))
                } catch {
                    barrier.cancel()
                    perWorker.set(index, .failure(error))
                }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        var ns = [Int](repeating: 0, count: cases.count), ops = ns
        for r in perWorker.all {
            guard case .success(let w)? = r else {
                if case .failure(let e)? = r { throw e }
                throw KernelCaseFailure("a worker did not report")
            }
            for s in cases.indices { ns[s] += w.0[s]; ops[s] += w.1[s] }
        }
        return zip(ns, ops).map { $1 == 0 ? .nan : Double($0) / Double($1) }
    }

    /// One thread frees `ranges` in chunks of k, one chunk per case per round, order shuffled.
    static func interleavedFrees(_ cases: [KernelCase], ranges: [Range<Int>], k: Int) throws(KernelCaseFailure) -> [Double] {
        var ns = [Int](repeating: 0, count: cases.count), ops = ns
        for range in ranges {
            var at = range.lowerBound
            while at < range.upperBound {
                let chunk = at..<min(range.upperBound, at + k)
                for s in Array(cases.indices).shuffled() {
                    let t = try cases[s].timedFrees(chunk)
                    ns[s] += t.freeNs; ops[s] += t.freeOps
                }
                at = chunk.upperBound
            }
        }
        return zip(ns, ops).map { $1 == 0 ? .nan : Double($0) / Double($1) }
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
