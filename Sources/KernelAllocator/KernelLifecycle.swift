import CLibbpf
import Foundation
import Glibc
import Platform
import Results

/// What one policy subject's lifecycle after the live phase measured (the phases of
/// README "What a run does", in the kernel): the kill, the frees after it, the map free, and the
/// policy's count at the end.
public struct KernelLifecycleResult: Sendable {
    /// The kill's own instructions inside the BPF program, ns (flags + base ref drop).
    public var killNs: Double?
    /// The real kernel grace period (membarrier → synchronize_rcu), ns as the caller waited it.
    public var graceNs: Int?
    /// The fold of the per-CPU slots into the count, ns inside the BPF program.
    public var foldNs: Double?
    /// The unload walk over the case's array map, ns inside the BPF program, and its size.
    public var walkNs: Double?
    public var walkValues = 0
    /// Where the kill happened: at the allocator map's end (`kill`) or, for hybrid, delayed to
    /// the map free after the drain (`drain`).
    public var killAt = Phase.kill
    /// What ran between the policy's own kill and its timed frees: the same for every policy
    /// (a grace period waited, every value walked once), so no policy's frees start warmer or
    /// after a longer sleep than another's.
    public var conditioning: [ConditioningStep] = []
    /// Concurrent frees after the kill (every worker its stripe of the first half), summed.
    public var postKill = KernelTotals()
    /// The map free: one thread frees the second half.
    public var drain = KernelTotals()
    /// The policy's state at the end (count 0, one release, or the case failed).
    public var final = KernelPolicyState()
}

extension KernelCase {
    /// Possible CPUs: the per-CPU slots the reset and the fold visit.
    static var possibleCPUs: Int { max(1, Int(libbpf_num_possible_cpus())) }

    /// A fresh allocator: the base reference, the policy's mode, every per-CPU slot zero.
    func resetPolicy() throws(KernelCaseFailure) {
        guard let policy = spec.subject.policy, let reset = programs[StrategiesProgram.reset.id] else { return }
        _ = try reset.run(iterations: Self.possibleCPUs, base: policy.startsPerCPU ? 1 : 0)
        guard let s = KernelPolicyState.read(object), s.releases == 0,
              s.count == (policy.startsPerCPU ? KernelPolicy.bias + 1 : 1) else {
            throw KernelCaseFailure("\(spec.subject.rawValue): the reset did not take (global data not readable)")
        }
    }

    /// The policy's state now (nil for reference subjects).
    public func policyState() -> KernelPolicyState? {
        spec.subject.policy == nil ? nil : KernelPolicyState.read(object)
    }

    /// Stash, kill, concurrent frees, map free, and the count's end: run after `measure` and
    /// `drain`. Throws naming the case when the count does not end at exactly zero with exactly
    /// one release, or the programs' counters disagree with the operations timed.
    public func lifecycle() throws(KernelCaseFailure) -> KernelLifecycleResult {
        guard let policy = spec.subject.policy else { throw KernelCaseFailure("\(spec.subject.rawValue) has no lifecycle") }
        let name = "\(spec.subject.rawValue) \(spec.workload.rawValue) \(spec.threads) thr"
        let values = spec.mapValues
        var result = KernelLifecycleResult()
        result.walkValues = values
        // Nothing is held after the live phase and its drain: only the base reference counts.
        guard let before = KernelPolicyState.read(object) else { throw KernelCaseFailure("\(name): no policy state") }
        let base = policy.startsPerCPU ? KernelPolicy.bias + 1 : 1
        guard before.count == base, before.releases == 0 else {
            throw KernelCaseFailure("\(name): count \(Int64(bitPattern: before.count &- base)) off the base reference after the live phase (\(before.releases) releases)")
        }

        try stash(values)
        let killed = try killAtUnload(policy, values: values, name: name)
        result.conditioning = try conditionBeforeFrees(values: values, name: name)

        // Concurrent frees: every worker its stripe of the first half, each paying the put.
        let firstHalf = 0..<(values / 2)
        result.postKill = try workers { index, _ throws(KernelCaseFailure) in
            let (lo, hi) = self.stripe(index, of: self.spec.threads, in: firstHalf)
            return try self.timedFrees(lo..<hi)
        }
        // The map free: one thread frees the rest; then lazy's map drops its used_allocators
        // reference and hybrid's delayed kill runs.
        let (drained, delayed) = try mapFree(policy, values: values, killed: killed)
        result.drain = drained
        result.walkNs = killed.walk
        let times = delayed ?? killed
        result.killNs = times.kill
        result.graceNs = times.grace
        result.foldNs = times.fold
        if delayed != nil { result.killAt = .drain }

        let end = KernelPolicyState.read(object)!
        result.final = end
        guard end.count == 0, end.releases == 1 else {
            throw KernelCaseFailure("\(name): the \(policy.rawValue) count ends at \(Int64(bitPattern: end.count)) with \(end.releases) releases (must be 0 and exactly 1)")
        }
        try resetPolicy()
        return result
    }

    /// Stash: every worker fills its stripe of [0, values), untimed.
    func stash(_ values: Int) throws(KernelCaseFailure) {
        try workers { index, _ throws(KernelCaseFailure) in
            let (lo, hi) = self.stripe(index, of: self.spec.threads, in: 0..<values)
            var at = lo
            while at < hi {
                let n = min(self.spec.opsPerRun, hi - at)
                try self.check(self.programs[self.spec.programNames.fill]!.run(iterations: n, base: at, seed: self.ownerID))
                at += n
            }
            return KernelTotals()
        }
    }

    /// The kill at program unload: the allocator map is gone (the walk first, for the policies
    /// that walk), on the first CPU.
    func killAtUnload(_ policy: KernelPolicy, values: Int, name: String) throws(KernelCaseFailure) -> KillTimes {
        try onFirstCPU { () throws(KernelCaseFailure) -> KillTimes in
            var times = KillTimes()
            if policy.walksAtKill {
                let generation = UInt32.random(in: 1...UInt32.max)
                _ = try self.programs[StrategiesProgram.walkArray.id]!.run(iterations: Int(generation), base: policy == .lazy ? 1 : 0)
                let s = KernelPolicyState.read(self.object)!
                let owners = KernelPolicyState.usedOwners(self.object, generation: generation)
                guard s.walkFound == UInt64(values), s.walkVisited >= UInt64(values), values == 0 || owners == [Int(self.ownerID)] else {
                    throw KernelCaseFailure("\(name): the walk found \(s.walkFound) objects of \(values) (owners \(owners))")
                }
                times.walk = Double(s.walkNs)
                times.walkTookReference = policy == .lazy && s.walkAdded > 0
            }
            switch policy {
            case .atomic, .lazy:
                // atomic: the map's base reference; lazy: the allocator map's own reference
                // (the walk's used_allocators reference keeps the allocator alive).
                times.kill = try self.kill(perCPU: false)
            case .percpuRef:
                times = try self.percpuRefKill(times)
            case .hybrid:
                break // delayed: used_allocators holds the allocator until the map free
            }
            return times
        }
    }

    /// The same untimed steps for every policy after its own kill: lazy and hybrid walked every
    /// value (warming slots and objects) and percpu-ref slept a grace period in membarrier,
    /// while atomic did neither, and the frees that followed were ordered by that. Every policy
    /// now waits one grace period and then walks every value once (no reference taken).
    func conditionBeforeFrees(values: Int, name: String) throws(KernelCaseFailure) -> [ConditioningStep] {
        _ = try Self.kernelGracePeriod()
        return [.gracePeriod, try warmUpWalk(values: values, name: name)]
    }

    /// Every value walked once on the first CPU, no reference taken: the slots and the objects
    /// warmed alike for every policy.
    func warmUpWalk(values: Int, name: String) throws(KernelCaseFailure) -> ConditioningStep {
        try onFirstCPU { () throws(KernelCaseFailure) -> ConditioningStep in
            _ = try self.programs[StrategiesProgram.walkArray.id]!.run(iterations: Int(UInt32.random(in: 1...UInt32.max)), base: 0)
            let s = KernelPolicyState.read(self.object)!
            guard s.walkFound == UInt64(values) else {
                throw KernelCaseFailure("\(name): the warm-up walk found \(s.walkFound) objects of \(values)")
            }
            return .warmUpWalk(values: values)
        }
    }

    /// The map free: one thread frees the rest; then lazy's map drops its used_allocators
    /// reference (if the walk took one) and hybrid's delayed kill runs.
    func mapFree(_ policy: KernelPolicy, values: Int, killed: KillTimes) throws(KernelCaseFailure) -> (KernelTotals, KillTimes?) {
        try onFirstCPU { () throws(KernelCaseFailure) -> (KernelTotals, KillTimes?) in
            let totals = try self.timedFrees((values / 2)..<values)
            return (totals, try self.afterMapFree(policy, killed: killed))
        }
    }

    /// What the map's end does once its values are gone: lazy's used_allocators reference
    /// dropped (if the walk took one), hybrid's delayed kill (returned), nothing for the rest.
    func afterMapFree(_ policy: KernelPolicy, killed: KillTimes) throws(KernelCaseFailure) -> KillTimes? {
        switch policy {
        case .lazy:
            if killed.walkTookReference { _ = try kill(perCPU: false) }
            return nil
        case .hybrid: return try percpuRefKill(KillTimes())
        default: return nil
        }
    }

    /// One put without an object: the planted bug the end-of-run check must catch (tests).
    func plantExtraPut() throws(KernelCaseFailure) {
        _ = try kill(perCPU: false)
    }

    /// The kill program: ATOMIC|DEAD (perCPU) and the base reference's drop. ns inside BPF.
    func kill(perCPU: Bool) throws(KernelCaseFailure) -> Double {
        _ = try programs[StrategiesProgram.kill.id]!.run(iterations: perCPU ? 1 : 0)
        return Double(KernelPolicyState.read(object)!.killNs)
    }

    /// percpu_ref's kill: flags and base ref, a real grace period, the fold.
    func percpuRefKill(_ times: KillTimes) throws(KernelCaseFailure) -> KillTimes {
        var t = times
        t.kill = try kill(perCPU: true)
        t.grace = try Self.kernelGracePeriod()
        _ = try programs[StrategiesProgram.fold.id]!.run(iterations: Self.possibleCPUs)
        t.fold = Double(KernelPolicyState.read(object)!.foldNs)
        return t
    }

    /// A real kernel RCU grace period: membarrier(MEMBARRIER_CMD_GLOBAL) is synchronize_rcu()
    /// and nothing else when more than one CPU is online. (An ARRAY_OF_MAPS update waits the
    /// same synchronize_rcu but adds the fd lookup and the inner map's refcounting.) Every tc
    /// program run by BPF_PROG_TEST_RUN is one rcu_read_lock() section, so when this returns
    /// no program that read the PERCPU mode can still be adding to its slot. Returns ns waited.
    public static func kernelGracePeriod() throws(KernelCaseFailure) -> Int {
        if let why = KernelGracePeriod.unavailableReason { throw KernelCaseFailure(why) }
        guard let ns = KernelGracePeriod.wait() else { throw KernelCaseFailure("membarrier(MEMBARRIER_CMD_GLOBAL) failed") }
        return ns
    }

    /// Exchanges out and drops slots `range` in runs of opsPerRun, timed; checks the counters.
    func timedFrees(_ range: Range<Int>) throws(KernelCaseFailure) -> KernelTotals {
        var totals = KernelTotals()
        guard !range.isEmpty else { return totals }
        let cpu = Pinning.currentCPU()
        let before = ProvenanceCounters.read(object, cpu: cpu)
        let empty = programs[spec.programNames.empty]!
        var at = range.lowerBound
        while at < range.upperBound {
            let n = min(spec.opsPerRun, range.upperBound - at)
            let t0 = monotonicNanoseconds()
            _ = try empty.run(iterations: n, base: at)
            totals.freeNs += monotonicNanoseconds() - t0
            totals.freeOps += n
            totals.runs += 1
            at += n
        }
        let moved = ProvenanceCounters.read(object, cpu: cpu) - before
        guard moved.freed == UInt64(range.count), moved.empty == 0 else {
            throw KernelCaseFailure("\(spec.subject.rawValue): freeing slots \(range) on CPU \(cpu) dropped \(moved.freed) objects (\(moved.empty) empty)")
        }
        return totals
    }

    /// Worker `index`'s share of `range`.
    func stripe(_ index: Int, of workers: Int, in range: Range<Int>) -> (Int, Int) {
        let per = (range.count + workers - 1) / max(workers, 1)
        let lo = min(range.upperBound, range.lowerBound + index * per)
        return (lo, min(range.upperBound, lo + per))
    }

    /// Runs `body` on one pinned worker per CPU at once; totals summed.
    func workers(_ body: @escaping @Sendable (Int, Int) throws(KernelCaseFailure) -> KernelTotals) throws(KernelCaseFailure) -> KernelTotals {
        let results = WorkerResults(count: spec.threads)
        let start = SpinBarrier(parties: spec.threads)
        do {
            try PinnedThread.run(on: spec.cpus) { index, cpu in
                start.wait()
                do throws(KernelCaseFailure) { results.set(index, .success(try body(index, cpu))) } catch { results.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        var sum = KernelTotals()
        for r in results.all {
            switch r {
            case .success(let t): sum.add(t)
            case .failure(let e): throw e
            case nil: throw KernelCaseFailure("a worker did not report")
            }
        }
        return sum
    }

    /// Runs `body` on a thread pinned to the case's first CPU.
    func onFirstCPU<T: Sendable>(_ body: @escaping @Sendable () throws(KernelCaseFailure) -> T) throws(KernelCaseFailure) -> T {
        let box = ResultBox<T>()
        do {
            try PinnedThread.run(on: [spec.cpus[0]]) { _, _ in
                do throws(KernelCaseFailure) { box.value = .success(try body()) } catch { box.value = .failure(error) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        switch box.value {
        case .success(let v): return v
        case .failure(let e): throw e
        case nil: throw KernelCaseFailure("the pinned thread did not report")
        }
    }
}

/// An untimed step between a policy's kill and its timed frees.
public enum ConditioningStep: Equatable, Sendable {
    case gracePeriod
    case warmUpWalk(values: Int)
}

/// The kill phase's timings (nil: the policy has no such step).
struct KillTimes: Sendable {
    var kill: Double?
    var grace: Int?
    var fold: Double?
    var walk: Double?
    var walkTookReference = false
}

/// One pinned thread's outcome (written by it, read after it joined).
final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: Result<T, KernelCaseFailure>?
}
