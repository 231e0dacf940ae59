import Foundation
import Platform
import Reports
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

    @Test func takesPartOnlyWithKernelAPolicyAndPair() {
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernel), .kernel(.kernelAtomic), .kernel(.kernelHtab)])) == [.kernel, .kernelAtomic])
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernelAtomic), .kernel(.kernelLazy)])).isEmpty) // no baseline
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernel), .strategy(.atomic)])).isEmpty)          // no policy
        #expect(KernelInterleavedPhase.subjects(of: plan([.kernel(.kernel), .kernel(.kernelAtomic)], workloads: [.batch])).isEmpty)
        #expect(KernelInterleavedPhase.rounds(repetitions: 1) == 10 && KernelInterleavedPhase.rounds(repetitions: 5) == 40)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MEMALLOC_SKIP_KERNEL_TESTS"] != "1"))
    func oneRowPerSubjectAndRoundAndTheTableUsesThem() throws {
        let p = plan([.kernel(.kernel), .kernel(.kernelAtomic), .kernel(.kernelLazy)])
        let context = RunContext.detect(topology: p.topology, command: "test")
        // A loaded host (the parallel test run) may keep the workers off their CPUs for a
        // whole slice: that round is dropped and run again, never reported as 0 ns; under
        // heavy load every try may lose rounds, so the step is tried up to three times.
        var step = try KernelInterleavedPhase.rows(plan: p, context: context, quiet: true)
        for _ in 0..<2 where step.rows.isEmpty { step = try KernelInterleavedPhase.rows(plan: p, context: context, quiet: true) }
        let rounds = KernelInterleavedPhase.rounds(repetitions: 1)
        let kept = step.rows.count / 3
        #expect(step.rows.count == 3 * kept && kept >= 1 && kept <= rounds, "\(kept) of \(rounds) rounds kept")
        // Every dropped round is said.
        #expect(step.notes.isEmpty || step.notes.allSatisfy { $0.contains("rounds dropped") }, "\(step.notes)")
        #expect(step.rows.allSatisfy { $0.phase == "interleaved" && $0.workload == "pair" && $0.op == "pair" && $0.metric == "ns_per_op" })
        // A bpf_obj_new + bpf_obj_drop pair is tens to hundreds of ns, never 0.
        #expect(step.rows.allSatisfy { ($0.value ?? 0) > 10 })
        for s in ["kernel", "kernel-atomic", "kernel-lazy"] {
            #expect(Set(step.rows.filter { $0.strategy == s }.map(\.repetition)) == Set(0..<kept))
        }
        let cells = KernelStrategiesSection.cells(step.rows)
        #expect(cells.count == 2 && cells.allSatisfy(\.interleaved))
    }
}
