import Foundation
import Results
import Testing
@testable import KernelAllocator

/// The interleaved rounds stay paired: a slice that completed no run (NaN) drops its round for
/// every subject and every op instead of reporting 0 ns/op; one load serves every step.
struct KernelInterleavedTests {
    @Test func aSliceWithoutWorkDropsItsWholeRound() {
        let alloc: [[Double]] = [[400, 402], [.nan, 405], [410, 411], [420, 421]]
        let free: [[Double]] = [[40, 42], [45, 45], [41, 41], [42, .nan]]
        let rounds = InterleavedRounds(subjects: [.kernel, .kernelLazy], ops: [.alloc, .free], values: [alloc, free]).completed
        #expect(rounds.values == [[[400, 402], [410, 411]], [[40, 42], [41, 41]]])
        #expect(rounds.roundCount == 2)
    }

    /// The policies load one strategies object with every step's programs; `kernel` loads
    /// obj_pair for the pair and obj_slots (with its stash) for batch and kptr-xchg.
    @Test func oneLoadPerObjectServesEveryStep() {
        let steps: [InterleavedStep] = [.pair, .accounting, .batch, .kptrXchg]
        #expect(KernelInterleaved.loadWorkload(of: .kernelAtomic, for: .pair) == .kptrXchg)
        #expect(KernelInterleaved.loadWorkload(of: .kernel, for: .pair) == .pair)
        #expect(KernelInterleaved.loadWorkload(of: .kernel, for: .batch) == .kptrXchg)
        #expect(KernelInterleaved.extraPrograms(of: .kernelHybrid, steps: steps, loadedAs: .kptrXchg) == [StrategiesProgram.pcpuPair.id, StrategiesProgram.pcpuAcct.id])
        #expect(KernelInterleaved.extraPrograms(of: .kernel, steps: steps, loadedAs: .kptrXchg) == [ObjSlotsProgram.stash.id])
        #expect(!InterleavedStep.accounting.runs(.kernel) && InterleavedStep.accounting.runs(.kernelLazy))
        var spec = KernelCaseSpec(subject: .kernel, workload: .kptrXchg, cpus: Array(0..<256), size: 64)
        spec.extraPrograms = [ObjSlotsProgram.stash.id]
        // 256 workers' batch slots fit the map kptr-xchg shares with them.
        #expect(spec.layout.maps[ObjSlotsMap.slots.id] == 256 * 256 && spec.layout.programs.contains(ObjSlotsProgram.stash.id))
    }

    /// remote pairs workers: every object is stashed on one CPU and dropped on the other, each
    /// side's programs count exactly what the loader timed there, and a slice ends with its
    /// banks empty, so the block's end finds nothing outstanding.
    @Test(.enabled(if: !KernelTestSupport.skip && KernelTestSupport.twoCPUs))
    func remoteStashesOnOneCPUAndDropsOnTheOther() throws {
        let run = try KernelInterleaved(subjects: [.kernel, .kernelLazy, .kernelAtomic], steps: [.remote], cpus: [0, 1], size: 64, opsPerRun: 64,
                                        build: KernelTestSupport.build)
        defer { run.close() }
        let r = try run.run(.remote, rounds: 3, sliceNs: 200_000)
        #expect(r.ops == [.pair] && r.values[0].count == 3 && r.values[0].allSatisfy { $0.count == 3 })
        // One object's life is a stash plus a drop: more than either alone, never 0.
        #expect(r.values[0].joined().allSatisfy { $0.isFinite && $0 > 20 })
        try run.finish()
        let single = try KernelInterleaved(subjects: [.kernel, .kernelLazy], steps: [.remote], cpus: [0], size: 64, opsPerRun: 64,
                                           build: KernelTestSupport.build)
        defer { single.close() }
        #expect(throws: KernelCaseFailure.self) { try single.run(.remote, rounds: 1, sliceNs: 200_000) }
    }

    @Test(.enabled(if: !KernelTestSupport.skip))
    func everyStepEndsWithNothingOutstanding() throws {
        let steps: [InterleavedStep] = [.pair, .accounting, .batch, .kptrXchg]
        let run = try KernelInterleaved(subjects: [.kernel, .kernelLazy, .kernelPercpuRef], steps: steps, cpus: [0], size: 64, opsPerRun: 64,
                                        mapValues: 300, build: KernelTestSupport.build)
        defer { run.close() }
        for step in steps {
            let r = try run.run(step, rounds: 2, sliceNs: 500_000)
            #expect(r.ops == step.ops && r.values.allSatisfy { $0.count == 2 })
            #expect(r.subjects == (step == .accounting ? [.kernelLazy, .kernelPercpuRef] : [.kernel, .kernelLazy, .kernelPercpuRef]))
        }
        try run.finish() // the kptr-xchg slots drained, allocated == freed, counts at their base
        // Then the policies' kills and their frees, interleaved: each count ends at 0 with one
        // release (afterKill throws otherwise), every free timed.
        let frees = try run.afterKill(values: 300)
        #expect(frees.killFree.subjects == [.kernelLazy, .kernelPercpuRef] && frees.mapFree.subjects == frees.killFree.subjects)
        // 150 concurrent frees on one worker in chunks of 64: 3 rounds; the map's 150: 3 chunks.
        #expect(frees.killFree.roundCount == 3 && frees.mapFree.roundCount == 3)
        #expect((frees.killFree.values + frees.mapFree.values).joined().joined().allSatisfy { $0.isFinite && $0 > 0 })
        #expect(throws: KernelCaseFailure.self) { try run.afterKill(values: 301) } // more than the maps hold
    }
}
