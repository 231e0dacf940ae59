import Statistics

/// What `NativeRefs.measure` found: the kernel's own refcounts, each against a same-object
/// control interleaved in the same rounds.
public struct NativeRefResults: Sendable {
    /// lib/percpu-refcount.c get+put (bpf_cgroup_acquire + bpf_cgroup_release on a child
    /// cgroup's `self` css), live and after `rmdir` killed it, at each CPU count.
    public var percpuRef: [PercpuRefMeasurement]
    /// rmdir's cost to its caller and when the switch to atomic mode was seen in effect.
    public var kill: KillObservation
    /// `struct bpf_refcount`, a refcount per object (not a count per allocator): bpf_obj_new +
    /// bpf_refcount_acquire + bpf_obj_drop + bpf_obj_drop against new + drop of a type of the
    /// same size without the field, one CPU.
    public var refcountPair: AddedCost
    /// One refcounted object stashed in a map, every CPU taking and dropping references to it
    /// (bpf_refcount_acquire on the RCU-protected kptr + bpf_obj_drop), per CPU count.
    public var sharedRefcount: [SharedRefcountMeasurement]
    public var blocks: Int
    public var rounds: Int
    public var sliceNs: Int
    /// The BPF emulations (pcpu_acct, atomic_acct over lazy_acct) in the same rounds as the
    /// native css get+put, live and killed, per CPU count; empty when not run.
    public var calibration: [EmulationCalibration] = []
    /// The get+put timed op by op, live and killed, per CPU count, every block merged.
    public var latency: [NativeRefLatency] = []
    /// The emulations' get+put timed the same way (policy_timed.bpf.h), beside native's.
    public var emulatedLatency: [EmulatedLatency] = []
    /// The shared refcount_t's acquire+drop timed the same way, per CPU count (phase live).
    public var refcountLatency: [NativeRefLatency] = []
    /// Why the emulations did not run beside native (their object did not load), if so.
    public var calibrationNote: String? = nil

    /// The measurement of `phase` at `cpus`, if it ran.
    public func percpuRef(_ phase: RefPhase, cpus: Int) -> PercpuRefMeasurement? {
        percpuRef.first { $0.phase == phase && $0.cpus == cpus }
    }

    /// What the kill adds to one get+put at `cpus`: killed added ns minus live added ns, paired
    /// by block (one cgroup, one load), with the sign-test 95 % interval.
    public func killPenalty(cpus: Int) -> MedianInterval.Result? {
        guard let live = percpuRef(.live, cpus: cpus), let killed = percpuRef(.killed, cpus: cpus) else { return nil }
        return MedianInterval.interval(zip(killed.cost.addedNs, live.cost.addedNs).map { $0 - $1 })
    }
}

public enum RefPhase: String, Sendable, CaseIterable {
    /// Percpu mode: get/put are this_cpu ops.
    case live
    /// After `percpu_ref_kill` and the fold: every get/put is a locked RMW on one shared count.
    case killed
}

public struct PercpuRefMeasurement: Sendable {
    public var phase: RefPhase
    public var cpus: Int
    public var cost: AddedCost
}

public struct SharedRefcountMeasurement: Sendable {
    public var cpus: Int
    public var cost: AddedCost
}

/// A subject against its control over blocks: per block, the median over rounds of the subject's
/// ns/op, the control's, and of their per-round difference.
public struct AddedCost: Sendable {
    public var subjectNs: [Double]
    public var controlNs: [Double]
    public var addedNs: [Double]

    public init(subjectNs: [Double] = [], controlNs: [Double] = [], addedNs: [Double] = []) {
        self.subjectNs = subjectNs
        self.controlNs = controlNs
        self.addedNs = addedNs
    }

    /// The median added ns over blocks with its sign-test 95 % interval.
    public var added: MedianInterval.Result? { MedianInterval.interval(addedNs) }
    public var subjectMedian: Double { medianOf(subjectNs) }
    public var controlMedian: Double { medianOf(controlNs) }

    /// Adds one block from its rounds (`[round][0 subject, 1 control]`); rounds with a stalled
    /// slice (NaN) are dropped.
    mutating func append(rounds: [[Double]]) {
        let done = rounds.filter { $0.allSatisfy(\.isFinite) }
        subjectNs.append(medianOf(done.map { $0[0] }))
        controlNs.append(medianOf(done.map { $0[1] }))
        addedNs.append(medianOf(done.map { $0[0] - $0[1] }))
    }
}

/// The kill: `rmdir` of the child cgroup (cgroup_destroy_locked → percpu_ref_kill).
public struct KillObservation: Sendable {
    /// rmdir as its caller pays it, ns, per block.
    public var rmdirNs: [Double] = []
    /// From rmdir's return until the ref's `data->count` was seen folded (bias removed: the
    /// switch's RCU callback ran), ns, per block: an upper bound, late by at most one poll.
    public var atomicSeenNs: [Double] = []
    /// The last read before it that was not yet folded, ns after rmdir's return (0 when the
    /// first read was already folded): the lower bound.
    public var atomicNotYetNs: [Double] = []
    /// Blocks whose first read after rmdir already showed ATOMIC|DEAD in `percpu_count_ptr`
    /// (percpu_ref_kill sets both before it returns; the fold comes a grace period later).
    public var flagsAtReturn = 0
    /// `data->count` read just before the last put, per block (the stash's reference and any the
    /// kernel itself holds): the release must run once it drops to 0.
    public var countBeforeLastPut: [Int64] = []
    /// Blocks in which, after the last put, the release ran: the run directory's
    /// nr_dying_descendants went back to 0 and bpf_cgroup_from_id no longer finds the id.
    public var releasesSeen = 0

    public var rmdir: MedianInterval.Result? { MedianInterval.interval(rmdirNs) }
    public var atomicSeen: MedianInterval.Result? { MedianInterval.interval(atomicSeenNs) }
}

private func medianOf(_ values: [Double]) -> Double {
    let v = values.filter(\.isFinite)
    return v.isEmpty ? .nan : SampleStatistics.quantile(v.sorted(), 0.5)
}
