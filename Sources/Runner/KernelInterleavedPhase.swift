import Foundation
import KernelAllocator
import Platform
import Reports

/// The kernel policies' pair interleaved in time (phase `interleaved`). A whole repetition of a
/// kernel case drifts by ±10 % (refills, grace periods, slab state): ±100-400 ns on a ~500 ns
/// pair, far more than a policy's few ns. Here `kernel` and every kernel policy of the run take
/// turns in 5 ms slices, order rotated each round, both workers switching on one clock
/// (KernelInterleaved), so each round holds every subject under the same conditions and the
/// table's added ns is a within-round difference. One row per subject and round.
public enum KernelInterleavedPhase {
    public static let phase = KernelStrategiesSection.interleavedPhase
    public static let sliceNs = 5_000_000
    /// Rounds per thread count: 8 per repetition asked for (at least 10); round 0 is a warm-up
    /// and not reported.
    public static func rounds(repetitions: Int) -> Int { max(10, 8 * repetitions) }

    /// `kernel` plus the run's kernel policies, when the run has both and the pair workload.
    public static func subjects(of plan: Plan) -> [KernelSubjectKind] {
        guard plan.workloads.contains(.pair) else { return [] }
        let kinds = plan.subjects.compactMap { if case .kernel(let k) = $0 { k } else { nil } }
        let policies = kinds.filter { $0.policy != nil }
        guard kinds.contains(.kernel), !policies.isEmpty else { return [] }
        return [.kernel] + policies
    }

    /// Runs the step for every thread count and size of the plan. Throws `KernelCaseFailure`
    /// when a count or a provenance check fails (the case is named); returns no rows, with a
    /// note, when the programs cannot load (the live rows already say why).
    public static func rows(plan: Plan, context: RunContext, quiet: Bool) throws(KernelCaseFailure) -> (rows: [ResultRow], notes: [String]) {
        let subjects = subjects(of: plan)
        guard !subjects.isEmpty else { return ([], []) }
        let rounds = rounds(repetitions: plan.settings.repetitions)
        let build = BPFBuild(environment: KernelEnvironment.current())
        var rows: [ResultRow] = []
        var notes: [String] = []
        for size in plan.sizes {
            for threads in plan.threads where threads <= plan.cpus.count {
                if RunInterrupt.isSet { return (rows, notes) }
                let cpus = Array(plan.cpus.prefix(threads))
                if !quiet {
                    fputs("interleaved: kernel + \(subjects.count - 1) policies, pair, \(threads) thr \(size) B: \(rounds) rounds of \(sliceNs / 1_000_000) ms slices\n", stderr)
                }
                let run: KernelInterleaved
                do {
                    run = try KernelInterleaved(subjects: subjects, mode: .pair, cpus: cpus, size: size, opsPerRun: 256, build: build)
                } catch {
                    return (rows, notes + ["interleaved kernel pair not measured: \(error.reason) (\(error.note))"])
                }
                defer { run.close() }
                // A round with a slice in which no worker completed a run (a stall of the whole
                // slice) is dropped; up to twice more, the missing rounds are run again.
                var table: [[Double]] = [], ran = 0
                let stealBefore = StealTime.milliseconds(cpus: cpus)
                for _ in 0..<3 where table.count < rounds {
                    let more = try run.run(rounds: rounds - table.count, sliceNs: sliceNs)
                    ran += more.count
                    table += KernelInterleaved.completeRounds(more)
                }
                try run.finish()  // every policy's count ends at zero with one release
                if ran > table.count {
                    // A whole slice without a completed run is a stall of ≥ 5 ms; on a VM the
                    // host's steal time over the same CPUs says whether it was the host.
                    var steal = ""
                    if let b = stealBefore, let a = StealTime.milliseconds(cpus: cpus) { steal = String(format: "; the host stole %.0f ms of these CPUs meanwhile", a - b) }
                    notes.append("interleaved kernel pair, \(threads) thr: \(ran - table.count) of \(ran) rounds dropped (a 5 ms slice with no completed run: a stall of the worker\(steal)); \(table.count) kept")
                }
                for (round, perSubject) in table.enumerated() {
                    for (s, ns) in zip(subjects, perSubject) {
                        let spec = CaseSpec(subject: s.rawValue, workload: .pair, threads: threads, cpus: cpus, size: size)
                        rows.append(RowBuilder(context: context, spec: spec, repetition: round).row(phase, "pair", "ns_per_op", ns, "ns"))
                    }
                }
            }
        }
        return (rows, notes)
    }
}
