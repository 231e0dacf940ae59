import Foundation
import Platform
import Reports
import Results
import Testing
@testable import Runner

/// The kernel policies' pair interleaved in time: which subjects take part, one row per subject
/// and round, and the report's pair cells computed from them.
@Suite(.serialized)
struct KernelInterleavedPhaseTests {
    func plan(_ subjects: [SubjectChoice], workloads: [WorkloadKind] = [.pair], threads: [Int] = [1], repetitions: Int = 1) -> Plan {
        let topology = Topology.current()
        return Plan(subjects: subjects, workloads: workloads, threads: threads, cpus: Array(topology.cpus.map(\.id).prefix(2)), sizes: [64],
                    settings: RunSettings(durationNs: 2_000_000, warmupNs: 500_000, repetitions: repetitions, latency: false, mapSlots: 256, seed: 7),
                    topology: topology)
    }

    @Test func takesPartWithAKernelPolicyAndAlwaysBringsKernelAndTheControl() {
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernel), .kernel(.kernelAtomic), .kernel(.kernelHtab)])) == [.kernel, .kernelLazy, .kernelAtomic])
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernelAtomic), .kernel(.kernelLazy)])) == [.kernel, .kernelLazy, .kernelAtomic])
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernel), .strategy(.atomic)])).isEmpty) // no policy
        #expect(KernelInterleavedPhase.steps(of: plan([.kernel(.kernelAtomic)], workloads: [.batch, .remote])) == [.batch, .remote])
        #expect(KernelInterleavedPhase.steps(of: plan([.kernel(.kernelAtomic)], workloads: [.pair, .kptrXchg, .remote])) == [.pair, .accounting, .remote, .kptrXchg])
        #expect(KernelInterleavedPhase.blocks(repetitions: 1) == 14 && KernelInterleavedPhase.blocks(repetitions: 5) == 14)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MEMALLOC_SKIP_KERNEL_TESTS"] != "1"))
    func oneRowPerSubjectOpAndBlockAndTheTableUsesThem() throws {
        let p = plan([.kernel(.kernel), .kernel(.kernelAtomic)], workloads: [.pair, .batch, .remote], threads: [1, 2])
        let context = RunContext.detect(topology: p.topology, command: "test")
        let step = try KernelInterleavedPhase.rows(plan: p, context: context, quiet: true)
        let blocks = KernelInterleavedPhase.blocks(repetitions: 1)
        // Every dropped block step is said (a loaded host may stall a worker for whole slices).
        #expect(step.notes.isEmpty || step.notes.allSatisfy { $0.contains("dropped") }, "\(step.notes)")
        #expect(step.rows.allSatisfy { $0.phase == .interleaved && [Metric.nsPerOp, .addedNs, .per1000Ops].contains($0.metric) })
        // The allocator's regime at each block's end, on the first CPU: one per block and thread
        // count, from `kernel`'s pair. No upper bound: suites running beside this one kmalloc
        // the same size on the same CPU between our runs (KernelAnatomyTests holds the counts).
        let regime = step.rows.filter { $0.metric == .per1000Ops }
        #expect(regime.allSatisfy { $0.op == .kmallocUnit && $0.strategy == "kernel" && ($0.value ?? -1) >= 0 })
        #expect(regime.count == 2 * blocks, "\(regime.count)")
        // The policy's paired difference to the control, one per block and op (no null without
        // hybrid and percpu-ref); remote only with a pair of workers.
        let added = step.rows.filter { $0.metric == .addedNs }
        #expect(added.allSatisfy { $0.strategy == "kernel-atomic" } && !added.isEmpty)
        #expect(Set(step.rows.filter { $0.workload == "remote" }.map(\.threads)) == [2])
        let timed = step.rows.filter { $0.metric == .nsPerOp && $0.threads == 1 }
        let cases: [(String, Op, [String])] = [("pair", .pair, ["kernel", "kernel-lazy", "kernel-atomic"]), ("pair", .acct, ["kernel-lazy", "kernel-atomic"]),
                                         ("batch", .alloc, ["kernel", "kernel-lazy", "kernel-atomic"]), ("batch", .free, ["kernel", "kernel-lazy", "kernel-atomic"]),
                                         ("batch", .killFree, ["kernel-lazy", "kernel-atomic"]), ("batch", .mapFree, ["kernel-lazy", "kernel-atomic"])]
        for (workload, op, subjects) in cases {
            let mine = timed.filter { $0.workload == workload && $0.op == op }
            #expect(Set(mine.map(\.strategy)) == Set(subjects), "\(workload) \(op)")
            for s in subjects {
                let reps = mine.filter { $0.strategy == s }.map(\.repetition)
                #expect(reps.count == Set(reps).count && reps.count >= blocks - 2 && reps.allSatisfy { (0..<blocks).contains($0) })
            }
        }
        // A bpf_obj_new + bpf_obj_drop pair is tens to hundreds of ns, never 0; a get + put is
        // a few ns above the control's empty step.
        let ns = step.rows.filter { $0.metric == .nsPerOp }
        #expect(ns.filter { $0.op == .pair || $0.op == .alloc }.allSatisfy { ($0.value ?? 0) > 10 })
        #expect(ns.filter { $0.op == .acct }.allSatisfy { ($0.value ?? 0) > 0 })
        // 6 workload ops at 1 thr, the same 6 and remote at 2.
        let cells = KernelStrategiesSection.cells(step.rows)
        #expect(cells.count == 13 && cells.allSatisfy { $0.interleaved && $0.subject == "kernel-atomic" })
        #expect(cells.filter { $0.workload == "remote" }.map(\.threads) == [2])
    }
}
