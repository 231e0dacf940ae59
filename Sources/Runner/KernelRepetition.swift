import Glibc
import KernelAllocator
import Platform
import Results

/// The kernel subjects in the same runner: their loop runs inside the kernel (one
/// BPF_PROG_TEST_RUN is one timed batch, on a worker pinned to the case's CPU), so a repetition
/// is a batch-level target: `KernelCase.measure` drives the pinned workers and returns the
/// same per-phase totals the model's workers count, and `RowBuilder` makes the same rows.
extension BenchRunner {
    /// Loads every kernel case's programs before the first round (compiling them on first use),
    /// so a missing piece turns those cases into `n/a` rows up front and nothing else changes.
    /// Returns the n/a rows of the cases that cannot run.
    func prepareKernelCases(_ cases: [CaseSpec]) -> [Int: [ResultRow]] {
        var unavailable: [Int: [ResultRow]] = [:]
        var build: BPFBuild?
        for (i, spec) in cases.enumerated() {
            guard case .kernel(let kind)? = plan.subject(named: spec.subject), spec.workload.hasKernelProgram else { continue }
            let workload = spec.workload
            let b = build ?? BPFBuild(environment: KernelEnvironment.current())
            build = b
            let kernelSpec = KernelCaseSpec(subject: kind, workload: workload, cpus: spec.cpus, size: spec.size, slots: plan.settings.mapSlots,
                                            mapValues: kind.policy == nil ? 0 : plan.settings.mapSlots)
            do {
                kernelCases[spec] = try KernelCase(spec: kernelSpec, build: b)
                kernelBuild = b
            } catch {
                let cell = "n/a: \(error.reason) (\(error.note))"
                if !quiet { fputs("\(spec.subject)/\(spec.workload.rawValue) \(spec.threads) thr: \(cell)\n", stderr) }
                let rows = RowBuilder(context: context, spec: spec, repetition: 0)
                unavailable[i] = spec.workload.ops.flatMap { rows.unavailable(.live, $0, cell) }
            }
        }
        return unavailable
    }

    /// One repetition of a loaded kernel case: the live phase on pinned workers, then the map's
    /// teardown as the kernel sees it (close the last fd of a map holding `mapSlots` objects,
    /// time until its id is gone).
    func kernelRepetition(_ spec: CaseSpec, _ rep: Int, _ kind: KernelSubjectKind) throws -> [ResultRow] {
        guard let kernelCase = kernelCases[spec], let build = kernelBuild else { return [] }
        let totals: KernelTotals
        var lifecycle: KernelLifecycleResult?
        do {
            totals = try kernelCase.measure(durationNs: plan.settings.durationNs, warmupNs: plan.settings.warmupNs)
            try kernelCase.drain()
            if kind.policy != nil { lifecycle = try kernelCase.lifecycle() } // count ends at 0, one release
        } catch {
            throw CaseFailure.allocationFailed(error.message)
        }
        var teardownNs: Int?
        if kind != .kernelHarness {
            do {
                let t = try KernelTeardown.measure(kind == .kernelHtab ? .htab : .kptrArray, objects: plan.settings.mapSlots, size: spec.size,
                                                   cpu: spec.cpus[0], build: build)
                teardownNs = t.goneNs
            } catch {
                throw CaseFailure.invariant("kernel teardown: \(error)")
            }
        }
        let builder = RowBuilder(context: context, spec: spec, repetition: rep)
        var rows = builder.kernelRows(kind, totals: totals, teardownNs: teardownNs, lifecycle: lifecycle)
        if let regime = regimeRow(kind, spec: spec, build: build) { rows.append(builder.row(.live, .kmallocUnit, .per1000Ops, regime, "per 1000 ops")) }
        return rows
    }

    /// bpf_global_ma's regime just after a repetition of a subject that allocates from it, on
    /// the case's first CPU: kmallocs of the objects' size per 1000 pairs over a 5 ms window
    /// of `kernel`'s pair with only the kmalloc probe attached (never while a row is timed).
    func regimeRow(_ kind: KernelSubjectKind, spec: CaseSpec, build: BPFBuild) -> Double? {
        guard kind != .kernelHtab, kind != .kernelHarness else { return nil }
        let key = RegimeProbeKey(cpu: spec.cpus[0], size: spec.size)
        if regimeProbes[key] == nil { regimeProbes[key] = try? RegimeProbe(cpu: key.cpu, size: key.size, build: build) }
        guard let probe = regimeProbes[key] ?? nil else { return nil }
        return try? probe.sample()
    }

    /// Unloads the kernel cases' programs (end of run).
    func closeKernelCases() {
        for c in kernelCases.values { c.close() }
        kernelCases.removeAll()
        for p in regimeProbes.values { p?.close() }
        regimeProbes.removeAll()
    }
}

/// Which regime probe: one per CPU and object size (the kmalloc size it counts follows the size).
struct RegimeProbeKey: Hashable {
    let cpu: Int, size: Int
}

extension KernelSubjectKind {
    var postKillNote: String {
        switch self {
        case .kernel: return "n/a: bpf_global_ma is never destroyed (nothing to kill; kernel-lazy's frees are the same with no accounting)"
        case .kernelHtab: return "n/a: the map's allocator dies with the map (see teardown)"
        case .kernelHarness: return "n/a: the harness has no allocator"
        default: return "n/a: see the policy's own kill rows"
        }
    }
}

extension PhaseCounters {
    init(kernel t: KernelTotals) {
        self.init()
        allocOps = t.allocOps; allocNs = t.allocNs
        freeOps = t.freeOps; freeNs = t.freeNs
        pairOps = t.pairOps; pairNs = t.pairNs
    }
}
