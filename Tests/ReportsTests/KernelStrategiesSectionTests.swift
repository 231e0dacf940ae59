import Results
import Testing
@testable import Reports

/// The kernel table from crafted rows: added ns over the same object's control with an exact
/// sign-test interval, `unresolved` where the interval cannot carry a number, the null line,
/// shares of the same workload's kernel cost, 75 columns.
struct KernelStrategiesSectionTests {
    func row(_ strategy: String, _ workload: String, _ op: Op, _ threads: Int, _ ns: Double, rep: Int, phase: Phase = .interleaved) -> ResultRow {
        ResultRow(runID: "r", timestamp: "t", commit: "c", host: "h", cpuModel: "m", kernel: "k", swift: "s", build: "release",
                  strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, cpus: "0", size: 64,
                  repetition: rep, metric: .nsPerOp, value: ns, unit: "ns")
    }

    /// 12 blocks whose level drifts by ±60 ns: `kernel` (another object) 4 ns above the
    /// control in every block, atomic 10 ns above it (±0.5), percpu-ref and hybrid the
    /// control's level (±0.5, the same code).
    var blocks: [ResultRow] {
        (0..<12).flatMap { b -> [ResultRow] in
            let level = 400 + Double((b * 7) % 5 - 2) * 30, wobble = b % 2 == 0 ? 0.5 : -0.5
            return [row("kernel", "pair", .pair, 1, level + 4, rep: b), row("kernel-lazy", "pair", .pair, 1, level, rep: b),
                    row("kernel-atomic", "pair", .pair, 1, level + 10 + wobble, rep: b),
                    row("kernel-percpu-ref", "pair", .pair, 1, level + wobble, rep: b), row("kernel-hybrid", "pair", .pair, 1, level - wobble, rep: b)]
        }
    }

    func cell(_ rows: [ResultRow], _ subject: String, _ workload: String = "pair", _ op: Op = .pair) throws -> KernelTableCell {
        try #require(KernelStrategiesSection.cells(rows).first { $0.subject == subject && $0.workload == workload && $0.op == op })
    }

    /// The baseline is the same object: an offset between objects (`kernel` 4 ns off) adds
    /// nothing to any policy; identical code reads 0.
    @Test func theBaselineIsTheSameObject() throws {
        let pcpu = try cell(blocks, "kernel-percpu-ref")
        #expect(abs(pcpu.added.estimate) < 1e-9, "\(pcpu.added)")
        let atomic = try cell(blocks, "kernel-atomic")
        #expect(abs(atomic.added.estimate - 10) < 0.51)
        #expect(atomic.resolved && atomic.interval!.excludesZero)
        #expect(abs(atomic.kernelNs! - 404) < 61) // the landed design's own ns, the % denominator
    }

    /// A block's paired differences (`added_ns`, `null_ns`: medians of the same round's
    /// differences) are its units where the rows have them, not the difference of the block's
    /// medians, which here read 10 ns for atomic and 0 for the null.
    @Test func pairedDifferencesAreTheUnitsWhereTheRowsHaveThem() throws {
        func paired(_ strategy: String, _ metric: Metric, _ ns: Double, rep: Int) -> ResultRow {
            var r = row(strategy, "pair", .pair, 1, ns, rep: rep)
            r.metric = metric
            return r
        }
        let rows = blocks + (0..<12).flatMap { b in
            [paired("kernel-atomic", .addedNs, 7 + Double(b % 3) * 0.1, rep: b), paired("kernel-hybrid", .nullNs, 0.2, rep: b)]
        }
        #expect(abs(try cell(rows, "kernel-atomic").added.estimate - 7.1) < 1e-9)
        #expect(abs(try cell(rows, KernelTableCell.null).added.estimate - 0.2) < 1e-9)
        // percpu-ref has no paired rows: its blocks' medians are differenced as before.
        #expect(abs(try cell(rows, "kernel-percpu-ref").added.estimate) < 1e-9)
    }

    /// After the kill hybrid − percpu-ref is no null (hybrid's kill waits for the map's free):
    /// those ops have policy cells and no null cell.
    @Test func noNullAfterTheKill() {
        let rows = (0..<12).flatMap { b in
            ["kernel-lazy", "kernel-percpu-ref", "kernel-hybrid"].map { row($0, "batch", .killFree, 2, 60 + Double(b % 3), rep: b) }
        }
        let cells = KernelStrategiesSection.cells(rows)
        #expect(Set(cells.map(\.subject)) == ["kernel-percpu-ref", "kernel-hybrid"])
    }

    @Test func aWideIntervalRendersUnresolved() throws {
        // atomic alternates +30 / −10 over the control: an interval of ±20 against a 10 ns limit.
        let wide = (0..<12).flatMap { b -> [ResultRow] in
            [row("kernel", "pair", .pair, 1, 500, rep: b), row("kernel-lazy", "pair", .pair, 1, 500, rep: b),
             row("kernel-atomic", "pair", .pair, 1, 500 + (b % 2 == 0 ? 30 : -10) + Double(b), rep: b)]
        }
        let atomic = try cell(wide, "kernel-atomic")
        #expect(!atomic.resolved)
        let t = try #require(KernelStrategiesSection.tables(wide).first)
        let line = try #require(t.rows.first { $0[0] == "atomic" })
        #expect(line[4].hasPrefix("unresolved (±"), "\(line)")
        #expect(line[5].isEmpty) // no % for an unresolved cell
        // Five whole repetitions have no finite 95 % sign-test interval at all.
        let five = (0..<5).flatMap { r in [row("kernel-lazy", "remote", .pair, 2, 480, rep: r, phase: .live),
                                           row("kernel-atomic", "remote", .pair, 2, 490, rep: r, phase: .live)] }
        let live = try cell(five, "kernel-atomic", "remote")
        #expect(!live.interleaved && KernelStrategiesSection.addedText(live) == "unresolved (n=5)")
    }

    @Test func theNullIsMeasuredAndSaid() throws {
        let null = try cell(blocks, KernelTableCell.null)
        #expect(null.resolved && !null.interval!.excludesZero)
        let line = try #require(KernelStrategiesSection.findings(blocks).first { $0.hasPrefix("Null (hybrid − percpu-ref") })
        #expect(line.contains("0 of 1 intervals exclude zero"), "\(line)")
        let t = try #require(KernelStrategiesSection.tables(blocks).first)
        #expect(t.rows.contains { $0[0] == "null" })
    }

    /// A % is taken against the same workload's kernel cost, never the pair's.
    @Test func sharesAreOfTheSameWorkloadsKernelCost() throws {
        let frees = (0..<12).flatMap { b -> [ResultRow] in
            [row("kernel", "batch", .free, 1, 40, rep: b), row("kernel-lazy", "batch", .free, 1, 40 + Double(b % 3), rep: b),
             row("kernel-atomic", "batch", .free, 1, 42 + Double(b % 3), rep: b)]
        }
        let atomic = try cell(blocks + frees, "kernel-atomic", "batch", .free)
        #expect(abs(atomic.shareOfKernel! - 5) < 1e-9) // +2 ns of a 40 ns free, not of the 400 ns pair
        let t = try #require(KernelStrategiesSection.tables(blocks + frees).first)
        #expect(t.rows.contains { $0[0] == "atomic" && $0[1] == "b.free" && $0[5] == "+5.0%" })
    }

    @Test func tableFitsAMail() throws {
        let t = try #require(KernelStrategiesSection.tables(blocks).first)
        for line in TextTableRenderer.plain(t).split(separator: "\n") { #expect(line.count <= 75, "\(line)") }
    }

    /// The model's added ns beside the kernel's, judged on resolved cells only.
    @Test func fidelityUsesResolvedCells() throws {
        let model = (0..<5).flatMap { [row("global", "pair", .pair, 1, 3, rep: $0, phase: .live), row("atomic", "pair", .pair, 1, 20, rep: $0, phase: .live)] }
        let atomic = try cell(blocks + model, "kernel-atomic")
        #expect(abs(atomic.modelAdded! - 17) < 1e-9)
        let fidelity = try #require(KernelStrategiesSection.fidelity(blocks + model))
        #expect(fidelity.hasPrefix("Model fidelity: in 0 of 1 resolved cells"), "\(fidelity)")
    }

    @Test func absentWithoutKernelPolicyRows() {
        #expect(KernelStrategiesSection.tables([row("kernel", "pair", .pair, 1, 400, rep: 0)]).isEmpty)
        #expect(KernelStrategiesSection.fidelity([]) == nil)
        #expect(KernelStrategiesSection.findings([]).isEmpty)
    }
}
