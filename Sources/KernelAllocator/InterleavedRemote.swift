import Atomics
import Platform

/// The remote step, interleaved: per slice, worker pairs run a fixed number of protocol rounds
/// for one subject (the producer stashes a bank, the consumer drops the bank stashed the round
/// before, a barrier ends each round), subjects in an order shuffled each round as `run` does.
/// A slice is a count of protocol rounds, not a time: the two workers of a pair must agree on
/// where it ends, and a shared count needs no clock between them.
extension KernelInterleaved {
    /// Protocol rounds per slice: about `sliceNs` at ~300 ns per object (the kernel's pair
    /// here), at least 2 so every slice both stashes and drops.
    static func remoteRoundsPerSlice(sliceNs: Int, k: Int) -> Int { max(2, sliceNs / (k * 300)) }

    /// ns per object life (producer's ns per stash + consumer's ns per drop), per round and
    /// subject, round 0 (warm-up) dropped; with several pairs each side is summed over pairs
    /// like the whole-repetition remote row.
    func runRemote(_ entries: [Entry], rounds: Int, sliceNs: Int) throws(KernelCaseFailure) -> InterleavedRounds {
        guard cpus.count >= 2, cpus.count % 2 == 0 else {
            throw KernelCaseFailure("remote needs an even number of workers (one stashes, the next frees)")
        }
        let n = entries.count, slices = (rounds + 1) * n, perSlice = Self.remoteRoundsPerSlice(sliceNs: sliceNs, k: k)
        let acc = SliceAccumulators(cells: cpus.count * slices)
        defer { acc.deallocate() }
        let order = (0...rounds).map { _ in Array(0..<n).shuffled() }
        let barriers = (0..<(cpus.count / 2)).map { _ in SpinBarrier(parties: 2) }
        let failed = ManagedAtomic<Bool>(false)
        let before = entries.map { e in cpus.map { ProvenanceCounters.read(e.case.object, cpu: $0) } }
        let perWorker = WorkerResults(count: cpus.count)
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                let barrier = barriers[index / 2]
                do throws(KernelCaseFailure) {
                    for slice in 0..<slices {
                        let round = slice / n, subject = order[round][slice % n]
                        try self.remoteSlice(entries[subject], worker: index, barrier: barrier, failed: failed, rounds: perSlice,
                                             into: acc, at: index * slices + round * n + subject)
                    }
                    perWorker.set(index, .success(KernelTotals()))
                } catch {
                    failed.store(true, ordering: .relaxed)
                    barrier.cancel()
                    perWorker.set(index, .failure(error))
                }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in perWorker.all { if case .failure(let e)? = r { throw e } }
        try checkRemoteProvenance(entries, before: before, acc: acc, slices: slices, n: n)
        let values = (1...rounds).map { round in
            (0..<n).map { s -> Double in
                let side = { (first: Int) -> Double in
                    let cells = stride(from: first, to: self.cpus.count, by: 2).map { $0 * slices + round * n + s }
                    let ops = cells.reduce(0) { $0 + acc.ops[$1] }
                    return ops == 0 ? .nan : Double(cells.reduce(0) { $0 + acc.ns[$1] }) / Double(ops)
                }
                return side(0) + side(1)
            }
        }
        return InterleavedRounds(subjects: entries.map(\.subject), ops: InterleavedStep.remote.ops, values: [values])
    }

    /// One subject's slice on one worker of a pair. Every stash and every drop is timed; the
    /// consumer's last round drops the producer's last bank, so the slice ends with its slots empty.
    private func remoteSlice(_ entry: Entry, worker: Int, barrier: SpinBarrier, failed: ManagedAtomic<Bool>, rounds: Int,
                             into acc: SliceAccumulators, at cell: Int) throws(KernelCaseFailure) {
        let producer = worker % 2 == 0, region = (worker / 2) * 2 * k
        barrier.wait()
        for r in 0...rounds {
            if failed.load(ordering: .relaxed) { throw KernelCaseFailure("the remote peer on the other CPU failed") }
            let t = monotonicNanoseconds()
            if producer && r < rounds {
                try entry.case.check(entry.programs[0].run(iterations: k, base: region + (r & 1) * k, seed: 1))
                acc.ns[cell] += monotonicNanoseconds() - t; acc.ops[cell] += k
            } else if !producer && r > 0 {
                try entry.case.check(entry.programs[1].run(iterations: k, base: region + ((r - 1) & 1) * k))
                acc.ns[cell] += monotonicNanoseconds() - t; acc.ops[cell] += k
            }
            barrier.wait()
        }
    }

    /// The producers' CPUs counted exactly the stashes timed there, the consumers' exactly the
    /// drops, with no failed allocation and no empty slot.
    private func checkRemoteProvenance(_ entries: [Entry], before: [[ProvenanceCounters]], acc: SliceAccumulators,
                                       slices: Int, n: Int) throws(KernelCaseFailure) {
        for (s, e) in entries.enumerated() {
            for (w, cpu) in cpus.enumerated() {
                let moved = ProvenanceCounters.read(e.case.object, cpu: cpu) - before[s][w]
                let timed = UInt64((0..<(slices / n)).reduce(0) { $0 + acc.ops[w * slices + $1 * n + s] })
                let (counted, other) = w % 2 == 0 ? (moved.allocated, moved.freed) : (moved.freed, moved.allocated)
                guard counted == timed, other == 0, moved.failed == 0, moved.empty == 0 else {
                    throw KernelCaseFailure("\(e.subject.rawValue) remote on CPU \(cpu): programs counted \(moved.allocated) allocations, \(moved.freed) frees and \(moved.empty) empty slots, the loader timed \(timed) \(w % 2 == 0 ? "stashes" : "drops")")
                }
            }
        }
    }
}
