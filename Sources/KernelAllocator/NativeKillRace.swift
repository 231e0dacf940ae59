import Glibc
import Platform

/// Gets and puts racing the kill: pinned workers run css_getput on one stashed child cgroup
/// while the caller removes the cgroup part-way, so puts land before, during and after the
/// switch to atomic mode. Afterwards the count must hold only the stash, and the last put must
/// run the release once (the cgroup stops dying and is no longer found).
enum NativeKillRace {
    struct Outcome: Sendable {
        /// get+put pairs the workers completed, summed.
        var ops: Int
        var counters: ProvenanceCounters
        var kill: KillObservation
    }

    static func run(build: BPFBuild, hierarchy: PrivateCgroup2, cpus: [Int], durationNs: Int = 60_000_000,
                    killAfterNs: Int = 15_000_000) throws(KernelCaseFailure) -> Outcome {
        let object: NativeRefsObject
        do { object = try NativeRefsObject(build: build) } catch { throw KernelCaseFailure("\(error)") }
        defer { object.close() }
        let child = try hierarchy.makeChild()
        var removed = false
        defer { if !removed { _ = try? child.remove() } }
        try object.stash(cgroup: child.id)
        let program = try object.program(.cssGetput)
        let before = object.totals()
        let end = monotonicNanoseconds() + durationNs
        let done = WorkerResults(count: cpus.count)
        let group = PinnedThread.spawn(on: cpus) { index, _ in
            var ops = 0
            do throws(KernelCaseFailure) {
                while monotonicNanoseconds() < end {
                    guard try program.run(iterations: 256) == 0 else { throw KernelCaseFailure("an acquire failed across the kill") }
                    ops += 256
                }
                var totals = KernelTotals()
                totals.pairOps = ops
                done.set(index, .success(totals))
            } catch { done.set(index, .failure(error)) }
        }
        var pause = timespec(tv_sec: 0, tv_nsec: killAfterNs)
        nanosleep(&pause, nil)
        var kill = KillObservation()
        let rmdirNs = group.allStarted ? try? child.remove() : nil
        removed = rmdirNs != nil
        do { try group.join() } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        guard let rmdirNs else { throw KernelCaseFailure("rmdir of the raced cgroup failed") }
        kill.rmdirNs.append(Double(rmdirNs))
        var ops = 0
        for r in done.all {
            switch r {
            case .success(let t)?: ops += t.pairOps
            case .failure(let e)?: throw e
            case nil: throw KernelCaseFailure("a worker did not report")
            }
        }
        try NativeRefs.waitForFold(object, into: &kill)
        let moved = object.totals() - before
        try NativeRefs.lastPut(object, child: child, hierarchy: hierarchy, into: &kill)
        return Outcome(ops: ops, counters: moved, kill: kill)
    }
}
