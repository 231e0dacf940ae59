import CLibbpf
import Platform

/// The BPF emulations of issue 26's calibration, loaded once per block beside native_refs:
/// one strategies.bpf.c object as kernel-percpu-ref, whose `pcpu_acct`, `atomic_acct` and
/// `lazy_acct` (the same object's control: no accounting) run in the native css rounds. Like
/// the native stash, one reference (a stashed object) holds the emulated ref across its kill,
/// so the killed get+put never sees the count reach zero; its drop is the last put.
final class NativeEmulation: @unchecked Sendable {
    let kernelCase: KernelCase
    private var held = false

    /// The strategies object: pcpu_acct comes with the pair case, the others as extras.
    init(cpu: Int, build: BPFBuild) throws(KernelUnavailable) {
        var spec = KernelCaseSpec(subject: .kernelPercpuRef, workload: .pair, cpus: [cpu], size: 64, opsPerRun: NativeRefs.refOpsPerRun)
        spec.extraPrograms = [EmulatedRef.atomic.program.id, StrategiesProgram.lazyAcct.id] + Self.timed.map(\.id)
        kernelCase = try KernelCase(spec: spec, build: build)
    }

    /// The emulations then their control, in the column order `EmulatedRef.allCases` + lazy.
    func subjects() throws(KernelCaseFailure) -> [NativeSubject] {
        try (EmulatedRef.allCases.map(\.program) + [.lazyAcct]).map { name throws(KernelCaseFailure) in
            guard let p = kernelCase.programs[name.id] else { throw KernelCaseFailure("\(name.rawValue) was not loaded") }
            return NativeSubject(program: p, opsPerRun: NativeRefs.refOpsPerRun, perOp: NativeRefs.getPut, object: kernelCase.object)
        }
    }

    var state: KernelPolicyState { KernelPolicyState.read(kernelCase.object) ?? KernelPolicyState() }

    /// Takes the held reference: one object stashed with its get (per-CPU while live).
    func hold() throws(KernelCaseFailure) {
        try kernelCase.check(kernelCase.programs[StrategiesProgram.pcpuStash.id]!.run(iterations: 1, base: 0, seed: kernelCase.ownerID))
        held = true
    }

    /// Live provenance: every get had its put, so the shared count is still bias + base (the
    /// per-CPU slots are checked by the fold).
    func checkLive() throws(KernelCaseFailure) {
        let s = state
        guard s.count == KernelPolicy.bias + 1, s.releases == 0 else {
            throw KernelCaseFailure("emulated percpu-ref: count \(Int64(bitPattern: s.count &- KernelPolicy.bias &- 1)) off its base after the live rounds")
        }
    }

    /// The emulation's own kill (mode ATOMIC|DEAD, base reference dropped), a real grace
    /// period, the fold: from here pcpu_acct runs its atomic path. Only the held reference
    /// may remain.
    func kill() throws(KernelCaseFailure) {
        _ = try kernelCase.percpuRefKill(KillTimes())
        try checkKilled()
    }

    /// Killed provenance: the count holds exactly the held reference, nothing released.
    func checkKilled() throws(KernelCaseFailure) {
        let s = state
        guard s.count == 1, s.releases == 0 else {
            throw KernelCaseFailure("emulated percpu-ref after its kill: count \(Int64(bitPattern: s.count)), \(s.releases) releases (must be the held 1, none)")
        }
    }

    /// The last put: the held object dropped (its put in atomic mode releases), then the count
    /// must be 0 with exactly one release and every object freed.
    func finish() throws(KernelCaseFailure) {
        guard held else { return }
        held = false
        _ = try kernelCase.programs[StrategiesProgram.pcpuUnstash.id]!.run(iterations: 1, base: 0)
        let s = state, totals = ProvenanceCounters.read(kernelCase.object, cpus: Array(0..<min(KernelCase.possibleCPUs, ProvenanceCounters.maxCPUs)))
        guard s.count == 0, s.releases == 1, totals.allocated == totals.freed, totals.failed == 0 else {
            throw KernelCaseFailure("emulated percpu-ref at its end: count \(Int64(bitPattern: s.count)), \(s.releases) releases, \(totals.allocated) allocated, \(totals.freed) freed")
        }
    }

    /// policy_timed.bpf.h's timed programs, in the histograms' slot order (atomic, pcpu, lazy),
    /// and the per-CPU map they count into: the accounting alone (one region per step), or the
    /// op around the allocator (two regions: new+get, drop+put).
    enum Timed: CaseIterable {
        case acct, pair

        var programs: [StrategiesProgram] {
            switch self {
            case .acct: [.atomicAcctTimed, .pcpuAcctTimed, .lazyAcctTimed]
            case .pair: [.atomicPairTimed, .pcpuPairTimed, .lazyPairTimed]
            }
        }
        var map: StrategiesMap { self == .acct ? .acctHist : .pairHist }
        var regions: Int { self == .acct ? 1 : 2 }
    }
    static var timed: [StrategiesProgram] { Timed.allCases.flatMap(\.programs) }

    /// The histograms in slot order (slot-major, then region), summed over every CPU of the per-CPU map.
    func histograms(_ kind: Timed = .acct) -> [LatencyHistogram] {
        let cpus = KernelCase.possibleCPUs, n = LatencyHistogram.buckets, slots = kind.programs.count * kind.regions
        var values = [UInt64](repeating: 0, count: cpus * slots * n)
        var key: UInt32 = 0
        guard bpf_map_lookup_elem(kernelCase.object.mapFD(kind.map), &key, &values) == 0 else {
            return Array(repeating: LatencyHistogram(), count: slots)
        }
        return (0..<slots).map { slot in
            var h = LatencyHistogram()
            for cpu in 0..<cpus { for i in 0..<n { h.counts[i] += values[(cpu * slots + slot) * n + i] } }
            return h
        }
    }

    /// Per worker on `cpus`, `runs` × `opsPerRun` timed steps of each emulation and of the
    /// control, alternating; every histogram must count exactly the ops timed.
    func timedPass(_ kind: Timed = .acct, cpus: [Int], runs: Int, opsPerRun: Int) throws(KernelCaseFailure) -> [LatencyHistogram] {
        let programs = try kind.programs.map { name throws(KernelCaseFailure) in
            guard let p = kernelCase.programs[name.id] else { throw KernelCaseFailure("\(name.rawValue) was not loaded") }
            return p
        }
        let before = histograms(kind)
        let results = WorkerResults(count: cpus.count)
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    for _ in 0..<runs {
                        for p in programs where try p.run(iterations: opsPerRun, base: 0) != 0 {
                            throw KernelCaseFailure("\(p.name): a timed run failed")
                        }
                    }
                    results.set(index, .success(KernelTotals()))
                } catch { results.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in results.all { if case .failure(let e)? = r { throw e } }
        let h = zip(histograms(kind), before).map { $0 - $1 }
        let timed = UInt64(cpus.count * runs * opsPerRun)
        guard h.allSatisfy({ $0.total == timed }) else {
            throw KernelCaseFailure("the emulations' latency histograms counted \(h.map(\.total)), the loader timed \(timed) each")
        }
        return h
    }

    func close() { kernelCase.close() }
}
