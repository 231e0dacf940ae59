import Foundation
import KernelAllocator
import Platform
import Reports
import Results
import Statistics

/// The kernel table's measurements (phase `interleaved`): `kernel`, the control `kernel-lazy`
/// and every kernel policy of the run, interleaved in time, in blocks.
///
/// - Within a block every subject runs each step (pair, accounting alone, batch, kptr-xchg) in
///   short slices, in an order shuffled each round, both workers switching on one clock
///   (KernelInterleaved): the allocator's drift (±10 % between whole repetitions) hits every
///   subject alike.
/// - Every block loads every subject's programs and maps afresh, so what is fixed at load time
///   (JIT image and map placement, object addresses) varies between blocks, and an interval
///   over blocks carries that variance. One row per subject, op and block: the median of the
///   block's rounds, `repetition` = the block.
/// - kernel-lazy runs the policies' object and entry points with no per-op accounting: it is
///   the same-object control every added ns is taken against.
public enum KernelInterleavedPhase {
    /// 1.25 ms slices, 16 rounds: measured against 4 rounds of 5 ms in the same time, the
    /// blocks' spread of added ns fell from 13–47 ns to 4–21 ns (pair) on the 2-CPU guest: more
    /// alternations cancel more of the allocator's drift.
    public static let sliceNs = 1_250_000
    /// Timed rounds per block (a warm-up round before them is dropped). Within-block noise
    /// dominates the pair's blocks here: their spread of added ns shrank 1.5–3× from 8 to 16
    /// rounds; 18 keep the default run within its 120 s (the full run read 112–119 s at 20).
    public static let roundsPerBlock = 18
    /// Blocks per thread count: 2 per repetition asked for plus 4, at least 14 (the kernel
    /// table's sign-test interval needs 6 units for a finite 95 % interval; at 12 blocks of 16
    /// rounds the pair's cells were ±5.3 ns (median); 14 of 18 keep the default run within
    /// its 120 s).
    public static func blocks(repetitions: Int) -> Int { max(14, 2 * repetitions + 4) }

    /// `kernel`, the control and the run's kernel policies, when the run has a kernel policy.
    public static func subjects(of plan: Plan) -> [KernelSubjectKind] {
        let kinds = plan.subjects.compactMap { if case .kernel(let k) = $0 { k } else { nil } }
        let policies = kinds.filter { $0.policy != nil && $0 != .kernelLazy }
        guard !policies.isEmpty || kinds.contains(.kernelLazy) else { return [] }
        return [.kernel, .kernelLazy] + policies
    }

    /// The steps the plan's workloads ask for (pair also brings the accounting alone).
    public static func steps(of plan: Plan) -> [InterleavedStep] {
        var steps: [InterleavedStep] = []
        if plan.workloads.contains(.pair) { steps += [.pair, .accounting] }
        if plan.workloads.contains(.batch) { steps.append(.batch) }
        // Before kptr-xchg, whose shared slots stay full until the block's end.
        if plan.workloads.contains(.remote) { steps.append(.remote) }
        if plan.workloads.contains(.kptrXchg) { steps.append(.kptrXchg) }
        return steps
    }

    /// Runs every block for every thread count and size of the plan. Throws `KernelCaseFailure`
    /// when a count or a provenance check fails (the case is named); returns the rows so far,
    /// with a note, when the programs cannot load (the live rows already say why).
    public static func rows(plan: Plan, context: RunContext, quiet: Bool) throws(KernelCaseFailure) -> (rows: [ResultRow], notes: [String]) {
        let subjects = subjects(of: plan), planSteps = steps(of: plan)
        guard !subjects.isEmpty, !planSteps.isEmpty else { return ([], []) }
        let blocks = blocks(repetitions: plan.settings.repetitions)
        let build = BPFBuild(environment: KernelEnvironment.current())
        var rows: [ResultRow] = [], notes: [String] = []
        for size in plan.sizes {
            for threads in plan.threads where threads <= plan.cpus.count {
                let cpus = Array(plan.cpus.prefix(threads))
                // remote pairs a stashing worker with a dropping one.
                let steps = planSteps.filter { $0 != .remote || threads % 2 == 0 }
                if !quiet {
                    fputs("interleaved: kernel, lazy (control) + \(subjects.count - 2) policies; \(steps.map(\.rawValue).joined(separator: ", ")); "
                        + "\(threads) thr \(size) B: \(blocks) blocks (a fresh load each) of \(roundsPerBlock) rounds × \(String(format: "%.2f", Double(sliceNs) / 1e6)) ms slices\n", stderr)
                }
                var dropped = 0
                let began = monotonicSeconds()
                // The allocator's regime at each block's end, on the first CPU (nil: no probe here).
                let regime = try? RegimeProbe(cpu: cpus[0], size: size, build: build)
                defer { regime?.close() }
                for block in 0..<blocks {
                    if RunInterrupt.isSet { return (rows, notes) }
                    let tables: [InterleavedStep: InterleavedRounds], frees: AfterKillFrees?
                    do {
                        (tables, frees) = try measureBlock(subjects, steps: steps, cpus: cpus, size: size, values: plan.settings.mapSlots, build: build)
                    } catch let unavailable as KernelUnavailable {
                        return (rows, notes + ["interleaved kernel rows not measured: \(unavailable.reason) (\(unavailable.note))"])
                    } catch let failure as KernelCaseFailure {
                        throw failure
                    } catch {
                        throw KernelCaseFailure("interleaved block \(block): \(error)")
                    }
                    dropped += steps.count - tables.count
                    for step in steps {
                        guard let table = tables[step] else { continue }
                        let workload = step.caseWorkload
                        rows += blockRows(table, workload: workload, block: block, threads: threads, cpus: cpus, size: size, context: context)
                    }
                    for table in [frees?.killFree, frees?.mapFree].compactMap({ $0?.completed }) where table.roundCount > 0 {
                        rows += blockRows(table, workload: .batch, block: block, threads: threads, cpus: cpus, size: size, context: context)
                    }
                    if let perThousand = try? regime?.sample() {
                        let spec = CaseSpec(subject: KernelSubjectKind.kernel.rawValue, workload: .pair, threads: threads, cpus: cpus, size: size)
                        rows.append(RowBuilder(context: context, spec: spec, repetition: block)
                            .row(.interleaved, .kmallocUnit, .per1000Ops, perThousand, "per 1000 ops"))
                    }
                }
                if !quiet { fputs(String(format: "interleaved: %d thr done in %.1f s\n", threads, monotonicSeconds() - began), stderr) }
                if dropped > 0 {
                    notes.append("interleaved kernel rows, \(threads) thr: \(dropped) block steps dropped (fewer than 2 rounds in which every subject completed a run: stalls of a whole slice)")
                }
            }
        }
        return (rows, notes)
    }

    /// One block: a fresh load of every subject, then each step's rounds (a round with a
    /// stalled slice is dropped and run again, up to twice), the block's end checked, then the
    /// policies' frees after the kill, interleaved (when the run has `values` and a policy
    /// beside the control). A step with fewer than 2 complete rounds is left out.
    static func measureBlock(_ subjects: [KernelSubjectKind], steps: [InterleavedStep], cpus: [Int], size: Int, values: Int,
                             build: BPFBuild) throws -> ([InterleavedStep: InterleavedRounds], AfterKillFrees?) {
        let run = try KernelInterleaved(subjects: subjects, steps: steps, cpus: cpus, size: size, opsPerRun: 256, mapValues: values, build: build)
        defer { run.close() }
        var tables: [InterleavedStep: InterleavedRounds] = [:]
        for step in steps {
            var table = try run.run(step, rounds: roundsPerBlock, sliceNs: sliceNs).completed
            for _ in 0..<2 where table.roundCount < roundsPerBlock {
                table.append(try run.run(step, rounds: roundsPerBlock - table.roundCount, sliceNs: sliceNs).completed)
            }
            if table.roundCount >= 2 { tables[step] = table }
        }
        try run.finish()
        let policies = subjects.filter { $0.policy != nil }.count
        let frees = policies >= 2 && values >= 2 * cpus.count ? try run.afterKill(values: values) : nil
        return (tables, frees)
    }

    /// Per subject and op, the median of the block's rounds (`ns_per_op`); per policy, the
    /// median of its rounds' differences to the control's slice of the same round (`added_ns`,
    /// paired within the round, whose slices share the allocator's state), and the null's
    /// (`null_ns`: hybrid − percpu-ref, identical per-op code). Pairing within rounds narrowed
    /// the kernel table's intervals by a fifth here (median ±6.7 → ±5.3 ns over 44 cells).
    static func blockRows(_ table: InterleavedRounds, workload: WorkloadKind, block: Int, threads: Int,
                          cpus: [Int], size: Int, context: RunContext) -> [ResultRow] {
        var rows: [ResultRow] = []
        let control = table.subjects.firstIndex(of: .kernelLazy)
        for (o, op) in table.ops.enumerated() {
            let rounds = table.values[o]
            func row(_ subject: KernelSubjectKind, _ metric: Metric, _ values: [Double]) -> ResultRow {
                let spec = CaseSpec(subject: subject.rawValue, workload: workload, threads: threads, cpus: cpus, size: size)
                let builder = RowBuilder(context: context, spec: spec, repetition: block)
                return values.isEmpty ? builder.row(.interleaved, op, metric, nil, "n/a: no complete round")
                                      : builder.row(.interleaved, op, metric, Effect.median(values), "ns")
            }
            for (s, subject) in table.subjects.enumerated() {
                rows.append(row(subject, .nsPerOp, rounds.map { $0[s] }.filter(\.isFinite)))
                if let c = control, s != c, subject.policy != nil {
                    rows.append(row(subject, Metric.addedNs, rounds.map { $0[s] - $0[c] }.filter(\.isFinite)))
                }
            }
            // No null after the kill: hybrid's kill waits for the map's free (KernelTableCell.hasNull).
            if !afterKillOps.contains(op), let h = table.subjects.firstIndex(of: .kernelHybrid), let p = table.subjects.firstIndex(of: .kernelPercpuRef) {
                rows.append(row(.kernelHybrid, Metric.nullNs, rounds.map { $0[h] - $0[p] }.filter(\.isFinite)))
            }
        }
        return rows
    }

    static let afterKillOps: [Op] = [.killFree, .mapFree]

}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
