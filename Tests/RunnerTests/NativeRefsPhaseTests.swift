import Platform
import Reports
import Results
import Testing
@testable import KernelAllocator
@testable import Runner

/// The native phase's rows from crafted results: the emulations measured in the native rounds
/// become kernel-percpu-ref / kernel-atomic rows (phase native) with added_ns over kernel-lazy
/// and over_native_ns per block, and the report reads them back as the same-round calibration.
struct NativeRefsPhaseTests {
    func results(blocks: Int = 8) -> NativeRefResults {
        func cost(_ s: Double, _ c: Double) -> AddedCost {
            AddedCost(subjectNs: Array(repeating: s, count: blocks), controlNs: Array(repeating: c, count: blocks), addedNs: Array(repeating: s - c, count: blocks))
        }
        var r = NativeRefResults(
            percpuRef: RefPhase.allCases.flatMap { p in [1, 2].map { PercpuRefMeasurement(phase: p, cpus: $0, cost: cost(p == .live ? 52 : 70, 12)) } },
            kill: KillObservation(), refcountPair: AddedCost(), sharedRefcount: [], blocks: blocks, rounds: 16, sliceNs: 1_250_000)
        r.calibration = RefPhase.allCases.flatMap { p in
            [1, 2].flatMap { t in
                EmulatedRef.allCases.map { e in
                    EmulationCalibration(emulation: e, phase: p, cpus: t, cost: cost(e == .atomic ? 55 : 16, 12),
                                         overNativeNs: Array(repeating: (e == .atomic ? 43 : 4) - (p == .live ? 40 : 58), count: blocks))
                }
            }
        }
        return r
    }

    @Test func theEmulationsBecomeRowsBesideNative() throws {
        let context = RunContext.detect(topology: Topology.current(), command: "test")
        let rows = NativeRefsPhase.rows(results(), cpus: [0, 1], size: 64, context: context)
        let over = rows.filter { $0.metric == Metric.overNativeNs }
        #expect(over.count == 2 * 2 * 2 * 8)
        #expect(over.allSatisfy { $0.phase == .native && [NativeRefsSection.emulatedPercpuRef, NativeRefsSection.emulatedAtomic].contains($0.strategy) })
        let lazy = rows.filter { $0.strategy == NativeRefsSection.emulatedControl }
        #expect(lazy.count == 2 * 2 * 8 && lazy.allSatisfy { $0.metric == .nsPerOp && $0.value == 12 })
        let killed = try #require(rows.first { $0.strategy == NativeRefsSection.emulatedPercpuRef && $0.op == .getPutKilled && $0.threads == 2
            && $0.metric == Metric.overNativeNs })
        #expect(killed.value == -54)
        let line = try #require(NativeRefsSection.findings(rows).first { $0.contains("Emulation against native") })
        #expect(line.contains("in the same rounds") && line.contains("−54"), "\(line)")
    }
}
