import Foundation
import KernelAllocator
import Platform
import Reports
import Results

/// The kernel's own refcounts (phase `native`): lib/percpu-refcount.c through a child
/// cgroup's `self` css, live and after `rmdir` killed it, and `struct bpf_refcount`, each
/// against an empty step of the same object, interleaved in the same rounds (NativeRefs). The
/// rows are native kernel code, not the BPF emulations of `kernel-percpu-ref`/`kernel-atomic`.
public enum NativeRefsPhase {

    /// Runs when the run has a kernel policy (the emulations it calibrates), on the plan's
    /// first one and two CPUs, as many blocks as the interleaved kernel phase.
    public static func rows(plan: Plan, context: RunContext, quiet: Bool) throws(KernelCaseFailure) -> (rows: [ResultRow], notes: [String]) {
        guard !KernelInterleavedPhase.subjects(of: plan).isEmpty, let size = plan.sizes.first else { return ([], []) }
        let cpus = Array(plan.cpus.prefix(min(2, plan.threads.max() ?? 1)))
        let blocks = Self.blocks(repetitions: plan.settings.repetitions)
        if !quiet {
            fputs("native refcounts: percpu_ref (a cgroup's css) live and killed, bpf_refcount; \(cpus.count) CPU(s), \(blocks) blocks (a fresh load and cgroup each)\n", stderr)
        }
        let began = monotonicSeconds()
        let results: NativeRefResults
        do {
            results = try NativeRefs.measure(cpus: cpus, blocks: blocks, rounds: rounds, sliceNs: KernelInterleavedPhase.sliceNs,
                                             build: BPFBuild(environment: KernelEnvironment.current()))
        } catch {
            switch error {
            case .unavailable(let u):
                let spec = CaseSpec(subject: NativeRefsSection.percpuRef, workload: .pair, threads: 1, cpus: [cpus[0]], size: size)
                let why = "n/a: \(u.reason)"
                return (RowBuilder(context: context, spec: spec, repetition: 0).unavailable(.native, Op.getPutLive, why),
                        ["native refcounts not measured: \(u.reason) (\(u.note))"])
            case .failed(let f):
                if RunInterrupt.isSet { return ([], []) }
                throw f
            }
        }
        if !quiet { fputs(String(format: "native refcounts: done in %.1f s\n", monotonicSeconds() - began), stderr) }
        return (rows(results, cpus: cpus, size: size, context: context), results.calibrationNote.map { [$0] } ?? [])
    }

    /// Blocks: 2 per repetition plus 2, at least 12: the killed ref shared by 2 CPUs has
    /// outlier blocks (one read +111 ns among ~+60), and at 12 units the sign test's interval
    /// ends at the 3rd value from each side instead of the 2nd.
    static func blocks(repetitions: Int) -> Int { max(12, 2 * repetitions + 2) }

    /// Timed rounds per block: the css steps are 10–80 ns and steady; 10 rounds of 5 subjects
    /// keep the phase near 7 s in the default run (16 resolved them within a ns or two).
    static let rounds = 10

    /// One row per block for each measurement: `ns_per_op` of the subject and of its control
    /// (strategy `kernel-native-empty`), `added_ns` paired within rounds; the kill's `latency_us`.
    static func rows(_ r: NativeRefResults, cpus: [Int], size: Int, context: RunContext) -> [ResultRow] {
        var out: [ResultRow] = []
        func add(_ subject: String, _ op: Op, threads: Int, _ cost: AddedCost) {
            let spec = CaseSpec(subject: subject, workload: .pair, threads: threads, cpus: Array(cpus.prefix(threads)), size: size)
            let empty = CaseSpec(subject: NativeRefsSection.empty, workload: .pair, threads: threads, cpus: spec.cpus, size: size)
            for b in cost.addedNs.indices {
                let builder = RowBuilder(context: context, spec: spec, repetition: b)
                out.append(builder.row(.native, op, .nsPerOp, cost.subjectNs[b], "ns"))
                out.append(builder.row(.native, op, Metric.addedNs, cost.addedNs[b], "ns"))
                out.append(RowBuilder(context: context, spec: empty, repetition: b).row(.native, op, .nsPerOp, cost.controlNs[b], "ns"))
            }
        }
        for m in r.percpuRef { add(NativeRefsSection.percpuRef, m.phase == .live ? .getPutLive : .getPutKilled, threads: m.cpus, m.cost) }
        add(NativeRefsSection.refcount, .pair, threads: 1, r.refcountPair)
        for m in r.sharedRefcount { add(NativeRefsSection.refcount, .sharedGetPut, threads: m.cpus, m.cost) }
        let spec = CaseSpec(subject: NativeRefsSection.percpuRef, workload: .pair, threads: 1, cpus: [cpus[0]], size: size)
        for (b, ns) in r.kill.rmdirNs.enumerated() {
            out.append(RowBuilder(context: context, spec: spec, repetition: b).row(.native, Op.kill, .latencyUs, ns / 1000, "µs"))
        }
        for (b, ns) in r.kill.atomicSeenNs.enumerated() {
            out.append(RowBuilder(context: context, spec: spec, repetition: b).row(.native, Op.atomicSwitch, .latencyUs, ns / 1000, "µs"))
        }
        return out + calibrationRows(r, cpus: cpus, size: size, context: context) + latencyRows(r, cpus: cpus, size: size, context: context)
    }

    /// The get+put timed op by op in the kernel, every block merged (repetition 0): p50 … max
    /// as the upper bounds of 25 %-wide buckets; the empty step timed the same way
    /// (`kernel-native-empty`) is the clock's own cost.
    static func latencyRows(_ r: NativeRefResults, cpus allCPUs: [Int], size: Int, context: RunContext) -> [ResultRow] {
        func op(_ phase: RefPhase) -> Op { phase == .live ? .getPutLive : .getPutKilled }
        let native = r.latency.map { l in (op(l.phase), l.cpus, [(NativeRefsSection.percpuRef, l.getPut), (NativeRefsSection.empty, l.empty)]) }
        // The emulations and their object's control (lazy: the clock in that object), beside native's.
        let emulated = r.emulatedLatency.map { l in
            (op(l.phase), l.cpus, [(NativeRefsSection.emulatedPercpuRef, l.percpuRef), (NativeRefsSection.emulatedAtomic, l.atomic),
                                   (NativeRefsSection.emulatedControl, l.control)])
        }
        // The shared refcount_t (op shared-get-put), with its own empty step as the native object's clock.
        let refcount = r.refcountLatency.map { l in (Op.sharedGetPut, l.cpus, [(NativeRefsSection.refcount, l.getPut), (NativeRefsSection.empty, l.empty)]) }
        // The emulations' op around the allocator, new+get and drop+put apart; lazy's is the allocator alone.
        let pairs = r.emulatedLatency.flatMap { l -> [(Op, Int, [(String, LatencyHistogram)])] in
            let live = l.phase == .live
            return [(live ? Op.newGetLive : .newGetKilled, l.newGet), (live ? Op.dropPutLive : .dropPutKilled, l.dropPut)].map { op, h in
                (op, l.cpus, [(NativeRefsSection.emulatedPercpuRef, h.percpuRef), (NativeRefsSection.emulatedAtomic, h.atomic),
                              (NativeRefsSection.emulatedControl, h.control)])
            }
        }
        let merged = (native + emulated + refcount + pairs).flatMap { op, cpus, histograms in
            percentileRows(histograms, op: op, cpus: cpus, allCPUs: allCPUs, size: size, context: context)
        }
        return merged + blockP99Rows(r, cpus: allCPUs, size: size, context: context)
    }

    /// p50 … max of each histogram (all blocks merged, repetition 0) as bucket upper bounds.
    static func percentileRows(_ histograms: [(String, LatencyHistogram)], op: Op, cpus: Int, allCPUs: [Int], size: Int,
                               context: RunContext) -> [ResultRow] {
        var out: [ResultRow] = []
        for (subject, h) in histograms where h.total > 0 {
            let spec = CaseSpec(subject: subject, workload: .pair, threads: cpus, cpus: Array(allCPUs.prefix(cpus)), size: size)
            let b = RowBuilder(context: context, spec: spec, repetition: 0)
            func row(_ metric: Metric, _ v: Double?) -> ResultRow {
                guard let v, v.isFinite else { return b.row(.native, op, metric, nil, "n/a: in the last bucket, above ~115 µs") }
                return b.row(.native, op, metric, v, "ns (bucket upper bound)")
            }
            for (metric, p) in [(Metric.p50Ns, 50.0), (.p90Ns, 90), (.p99Ns, 99), (.p999Ns, 99.9)] { out.append(row(metric, h.percentile(p))) }
            out.append(row(.maxNs, h.maxUpper))
        }
        return out
    }

    /// Each block's own p99 (repetition = block, from 1): the finding's interval over blocks.
    /// A p99 in the last bucket (above ~115 µs) has no upper bound and gives no row.
    static func blockP99Rows(_ r: NativeRefResults, cpus allCPUs: [Int], size: Int, context: RunContext) -> [ResultRow] {
        let native = r.latency.map { l in (l.phase == .live ? Op.getPutLive : .getPutKilled, l.cpus, [(NativeRefsSection.percpuRef, l.getPutBlocks)]) }
        let emulated = r.emulatedLatency.map { l in
            (l.phase == .live ? Op.getPutLive : .getPutKilled, l.cpus,
             [(NativeRefsSection.emulatedPercpuRef, l.percpuRefBlocks), (NativeRefsSection.emulatedAtomic, l.atomicBlocks)])
        }
        let refcount = r.refcountLatency.map { l in (Op.sharedGetPut, l.cpus, [(NativeRefsSection.refcount, l.getPutBlocks)]) }
        var out: [ResultRow] = []
        for (op, cpus, subjects) in native + emulated + refcount {
            for (subject, blocks) in subjects {
                let spec = CaseSpec(subject: subject, workload: .pair, threads: cpus, cpus: Array(allCPUs.prefix(cpus)), size: size)
                for (b, h) in blocks.enumerated() {
                    guard let p99 = h.percentile(99), p99.isFinite else { continue }
                    out.append(RowBuilder(context: context, spec: spec, repetition: b + 1).row(.native, op, .blockP99Ns, p99, "ns (bucket upper bound)"))
                }
            }
        }
        return out
    }

    /// The emulations in the native css rounds (issue 26 item 3), per block: `ns_per_op` and
    /// `added_ns` over their own object's control (strategy `kernel-lazy`: lazy_acct), and
    /// `over_native_ns`, emulation added − native added paired within the block's rounds.
    static func calibrationRows(_ r: NativeRefResults, cpus: [Int], size: Int, context: RunContext) -> [ResultRow] {
        var out: [ResultRow] = []
        for c in r.calibration {
            let op = c.phase == .live ? Op.getPutLive : Op.getPutKilled
            let subject = c.emulation == .percpuRef ? NativeRefsSection.emulatedPercpuRef : NativeRefsSection.emulatedAtomic
            let spec = CaseSpec(subject: subject, workload: .pair, threads: c.cpus, cpus: Array(cpus.prefix(c.cpus)), size: size)
            let lazy = CaseSpec(subject: NativeRefsSection.emulatedControl, workload: .pair, threads: c.cpus, cpus: spec.cpus, size: size)
            for b in c.cost.addedNs.indices {
                let builder = RowBuilder(context: context, spec: spec, repetition: b)
                out.append(builder.row(.native, op, .nsPerOp, c.cost.subjectNs[b], "ns"))
                out.append(builder.row(.native, op, Metric.addedNs, c.cost.addedNs[b], "ns"))
                out.append(builder.row(.native, op, Metric.overNativeNs, c.overNativeNs[b], "ns"))
                // One control row per block and CPU count: both emulations share lazy_acct.
                if c.emulation == .percpuRef {
                    out.append(RowBuilder(context: context, spec: lazy, repetition: b).row(.native, op, .nsPerOp, c.cost.controlNs[b], "ns"))
                }
            }
        }
        return out
    }
}
