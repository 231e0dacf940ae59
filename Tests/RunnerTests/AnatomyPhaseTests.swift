import Platform
import Reports
import Results
import Testing
@testable import KernelAllocator
@testable import Runner

/// A block's anatomy becomes rows (phase anatomy) that the report reads back as the same parts.
struct AnatomyPhaseTests {
    @Test func aBlockBecomesRowsTheReportReadsBack() throws {
        var counts = AnatomyCounts()
        counts.irqWork = 21; counts.irqWorkNs = 21 * 5000; counts.rcuSoftirqNs = 15_000; counts.kmallocUnit = 1020; counts.rcuSoftirq = 2
        let timing = AnatomyTiming(plainOps: 1000, plainNs: 100_000, irqOps: 20, irqNs: 140_000, irqEntries: 20, irqHandlerNs: 100_000,
                                   irqSoftirqNs: 10_000, softirqOps: 0, failed: 0)
        let block = AnatomyBlock(untracedNsPerOp: 430, tracedNsPerOp: 470, tracedOps: 1000, counts: counts, timing: timing)
        let context = RunContext.detect(topology: Topology.current(), command: "test")
        let spec = CaseSpec(subject: "kernel", workload: .pair, threads: 1, cpus: [0], size: 64)
        let rows = AnatomyPhase.rows(block, harnessNs: 20, builder: RowBuilder(context: context, spec: spec, repetition: 0))
        #expect(rows.allSatisfy { $0.phase == .anatomy && $0.strategy == "kernel" })
        func value(_ op: Op, _ m: Metric) -> Double? { rows.first { $0.op == op && $0.metric == m }?.value }
        #expect(value(.pair, .nsPerOp) == 430)
        #expect(value(.irqWorkOutside, .perEventNs) == 1400)
        #expect(value(.kmallocUnit, .per1000Ops) == 1020)
        let parts: [Op] = [.harness, .irqWork, .irqWorkOutside, .rcuSoftirq, .rest]
        #expect(abs(parts.compactMap { value($0, $0.anatomyMetric) }.reduce(0, +) - 430) < 1e-9)
        // The parts got as differences may come out negative; the CSV reader must take them back.
        #expect(rows.filter { $0.metric == .differenceNs }.map(\.op).sorted { $0.rawValue < $1.rawValue } == [.irqWorkOutside, .rest])
        #expect(MetricValueRange.problem(-639.6, metric: .differenceNs) == nil)
        #expect(MetricValueRange.problem(-639.6, metric: .nsPerOp) != nil)
        let line = try #require(AnatomySection.summary(rows))
        #expect(line.contains("(fresh 1/1)") && line.hasPrefix("anatomy (means of 1 block): kernel's pair 430 ns"))
    }

    /// The slab level can fall during the churn (objects come back from per-CPU free lists): the
    /// peak and average over the level before are then negative, and the CSV reader must take
    /// them back (CI's A/A compare refused a fresh run's bytes_avg of −1.2 MB when they were
    /// bytes_avg); the report reads them as KiB.
    @Test func heldBytesBelowTheLevelBeforeAreDeltas() throws {
        let context = RunContext.detect(topology: Topology.current(), command: "test")
        let spec = CaseSpec(subject: "kernel", workload: .pair, threads: 1, cpus: [0], size: 64)
        let held = HeldMemory(peakBytes: -4096, averageBytes: -1_219_268.4, lowestBytes: -1_300_000, samples: 120)
        let rows = AnatomyPhase.heldRows(held, builder: RowBuilder(context: context, spec: spec, repetition: 0))
        #expect(rows.map(\.metric) == [.bytesSlabPeak, .bytesSlabAvg, .bytesSwing])
        for r in rows { #expect(MetricValueRange.problem(r.value!, metric: r.metric) == nil, "\(r.metric) \(r.value!)") }
        #expect(MetricValueRange.problem(-1_219_268.4, metric: .bytesAvg) != nil)
    }
}
