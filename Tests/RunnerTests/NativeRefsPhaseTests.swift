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

    /// A histogram of 1000 ops: `tail` of them at `slow` ns, the rest at `fast` ns.
    static func histogram(fast: UInt64, slow: UInt64, tail: UInt64) -> LatencyHistogram {
        var h = LatencyHistogram()
        h.counts[LatencyHistogram.bucket(fast)] += 1000 - tail
        h.counts[LatencyHistogram.bucket(slow)] += tail
        return h
    }

    /// Each block's own p99 becomes a `block_p99_ns` row (repetition = block), and the finding
    /// gives the median over blocks with its interval: a tail planted in 2 % of the killed
    /// ops of every block moves the p99 (and not the p50 of the merged rows).
    @Test func eachBlocksP99BecomesARowAndTheTailsFinding() throws {
        var r = results(blocks: 8)
        for phase in RefPhase.allCases {
            for t in [1, 2] {
                let blocks = (0..<8).map { _ in Self.histogram(fast: 40, slow: 200, tail: phase == .killed && t == 2 ? 20 : 0) }
                r.latency.append(NativeRefLatency(phase: phase, cpus: t, getPut: blocks.reduce(LatencyHistogram(), +),
                                                  empty: Self.histogram(fast: 30, slow: 30, tail: 0), getPutBlocks: blocks))
            }
        }
        let context = RunContext.detect(topology: Topology.current(), command: "test")
        let rows = NativeRefsPhase.rows(r, cpus: [0, 1], size: 64, context: context)
        let p99 = rows.filter { $0.metric == .blockP99Ns }
        #expect(p99.count == 2 * 2 * 8 && Set(p99.map(\.repetition)) == Set(1...8))
        let killed2 = p99.filter { $0.op == .getPutKilled && $0.threads == 2 }.compactMap(\.value)
        #expect(killed2.count == 8 && killed2.allSatisfy { $0 >= 200 }, "\(killed2)")
        let p50 = try #require(rows.first { $0.metric == .p50Ns && $0.op == .getPutKilled && $0.threads == 2 && $0.strategy == NativeRefsSection.percpuRef })
        #expect((p50.value ?? 0) <= 48, "the tail moves the p99, not the p50")
        let line = try #require(NativeRefsSection.findings(rows).first { $0.contains("In tails") })
        #expect(line.contains("killed higher in 8 of 8 blocks, lower in 0"), "\(line)")
        #expect(!rows.contains { $0.op == .dropPutKilled }, "no pair rows for what was not timed")
    }

    /// The emulations' new+get and drop+put around the allocator: p50…max rows per policy and
    /// the control (lazy), live and killed, and the report's table of them.
    @Test func theEmulationsOpAroundTheAllocatorBecomesRows() throws {
        var r = results(blocks: 8)
        for phase in RefPhase.allCases {
            var l = EmulatedLatency(phase: phase, cpus: 2)
            l.addPairs((0..<6).map { i in Self.histogram(fast: i % 2 == 0 ? 300 : 150, slow: 20_000, tail: phase == .killed && i == 3 ? 30 : 5) })
            r.emulatedLatency.append(l)
        }
        let context = RunContext.detect(topology: Topology.current(), command: "test")
        let rows = NativeRefsPhase.rows(r, cpus: [0, 1], size: 64, context: context)
        for op in [Op.newGetLive, .dropPutLive, .newGetKilled, .dropPutKilled] {
            #expect(Set(rows.filter { $0.op == op && $0.metric == .p50Ns }.map(\.strategy))
                    == [NativeRefsSection.emulatedPercpuRef, NativeRefsSection.emulatedAtomic, NativeRefsSection.emulatedControl], "\(op)")
        }
        // Slot 3 is pcpu's drop+put: its planted tail (3 %) shows at p99 killed only.
        let p99 = rows.first { $0.strategy == NativeRefsSection.emulatedPercpuRef && $0.op == .dropPutKilled && $0.metric == .p99Ns }?.value ?? 0
        let p99Live = rows.first { $0.strategy == NativeRefsSection.emulatedPercpuRef && $0.op == .dropPutLive && $0.metric == .p99Ns }?.value ?? 0
        #expect(p99 >= 20_000 && p99Live < 20_000, "\(p99) \(p99Live)")
        let table = try #require(NativeRefsSection.tables(rows).first { $0.title.hasPrefix("the emulations around bpf_global_ma") })
        #expect(table.rows.contains { $0[0] == "lazy (alloc only)" && $0[1] == "new+get" && $0[2] == "2" }, "\(table.rows)")
        #expect(table.rows.contains { $0[0] == "emul. pcpu-ref" && $0[1] == "drop+put killed" })
    }
}
