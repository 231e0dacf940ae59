import Testing
@testable import Reports

/// The "strategies in the kernel" table and its findings from crafted rows: added ns with an
/// interval, the share of the kernel's pair, the model's added ns beside it, 75 columns.
struct KernelStrategiesSectionTests {
    func row(_ strategy: String, _ workload: String, _ op: String, _ threads: Int, _ ns: Double, rep: Int, phase: String = "live") -> ResultRow {
        ResultRow(runID: "r", timestamp: "t", commit: "c", host: "h", cpuModel: "m", kernel: "k", swift: "s", build: "release",
                  strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, cpus: "0", size: 64,
                  repetition: rep, metric: "ns_per_op", value: ns, unit: "ns")
    }

    /// kernel 400 ns (±2 by round), kernel-atomic 10 ns more in every round; the model says
    /// atomic adds 9.5 over global; kernel-lazy adds nothing.
    var rows: [ResultRow] {
        (0..<8).flatMap { rep -> [ResultRow] in
            let drift = Double(rep % 3) - 1
            return [row("kernel", "pair", "pair", 1, 400 + drift, rep: rep), row("kernel-atomic", "pair", "pair", 1, 410 + drift, rep: rep),
                    row("kernel-lazy", "pair", "pair", 1, 400 + drift + (rep % 2 == 0 ? 0.5 : -0.5), rep: rep),
                    row("global", "pair", "pair", 1, 3, rep: rep), row("atomic", "pair", "pair", 1, 12.5, rep: rep),
                    row("lazy", "pair", "pair", 1, 3, rep: rep)]
        }
    }

    @Test func addedNanosecondsOverKernelWithInterval() throws {
        let cells = KernelStrategiesSection.cells(rows)
        let atomic = try #require(cells.first { $0.policy == "kernel-atomic" })
        #expect(abs(atomic.added.added - 10) < 1e-9)
        #expect(atomic.added.low > 9 && atomic.added.high < 11) // paired by round: the drift cancels
        #expect(atomic.added.excludesZero)
        #expect(abs(atomic.modelAdded! - 9.5) < 1e-9)
        #expect(abs(atomic.kernelPairNs! - 400) < 1.01)
        let lazy = try #require(cells.first { $0.policy == "kernel-lazy" })
        #expect(!lazy.added.excludesZero)
    }

    @Test func tableFitsAMailAndShowsTheShare() throws {
        let t = try #require(KernelStrategiesSection.tables(rows).first)
        let atomic = try #require(t.rows.first { $0[0] == "atomic" })
        #expect(atomic[4].hasPrefix("+10 ["))
        #expect(atomic[5] == "+2.5%")
        #expect(atomic[6] == "+9.5")
        for line in TextTableRenderer.plain(t).split(separator: "\n") { #expect(line.count <= 75, "\(line)") }
    }

    @Test func findingsSpeakNanosecondsAndStateTheirPower() {
        let f = KernelStrategiesSection.findings(rows)
        let atomic = f.first { $0.hasPrefix("kernel-atomic") } ?? ""
        #expect(atomic.contains("+10 ns/op") || atomic.contains("+10.0"))
        #expect(atomic.contains("of the kernel's"))
        let lazy = f.first { $0.hasPrefix("kernel-lazy") } ?? ""
        #expect(lazy.contains("no difference beyond ±"))
        #expect(!f.contains { $0.hasPrefix("Of the") }) // two intervals: too few to count chance
        let fidelity = f.last ?? ""
        #expect(fidelity.hasPrefix("Model fidelity"))
        #expect(fidelity.contains("1 of 2 cells")) // atomic: 9.5 outside [10, 10]; lazy: 0 inside
    }

    /// Whole repetitions drift by ±100 ns; the interleaved rounds drift too, but every subject
    /// of a round shares it: the pair cell comes from the rounds' differences.
    @Test func pairCellsComeFromTheInterleavedRounds() throws {
        var rows = (0..<5).flatMap { rep -> [ResultRow] in
            let drift = Double(rep % 2 == 0 ? 100 : -100)
            return [row("kernel", "pair", "pair", 1, 400 + drift, rep: rep), row("kernel-atomic", "pair", "pair", 1, 400 - drift, rep: rep)]
        }
        let live = try #require(KernelStrategiesSection.cells(rows).first)
        #expect(!live.interleaved && live.added.high - live.added.low > 100)
        rows += (0..<40).flatMap { round -> [ResultRow] in
            let drift = Double(round % 7) * 20
            return [row("kernel", "pair", "pair", 1, 450 + drift, rep: round, phase: "interleaved"),
                    row("kernel-atomic", "pair", "pair", 1, 452 + drift + (round % 2 == 0 ? 0.5 : -0.5), rep: round, phase: "interleaved")]
        }
        let cell = try #require(KernelStrategiesSection.cells(rows).first)
        #expect(cell.interleaved)
        #expect(cell.added.low >= 1.4 && cell.added.high <= 2.6, "\(cell.added)")
        #expect(abs(cell.kernelPairNs! - 510) < 21) // the interleaved kernel's median, not the live one
        let t = try #require(KernelStrategiesSection.tables(rows).first)
        #expect(t.title.contains("interleaved"))
        // Without the baseline's rounds the live repetitions are used.
        let noBase = rows.filter { !($0.phase == "interleaved" && $0.strategy == "kernel") }
        #expect(KernelStrategiesSection.cells(noBase).first?.interleaved == false)
        // The fidelity line tells the resolving rounds apart from whole repetitions: the
        // model's +9 is outside the interleaved [1.4, 2.6].
        let model = (0..<5).flatMap { [row("global", "pair", "pair", 1, 3, rep: $0), row("atomic", "pair", "pair", 1, 12, rep: $0)] }
        let fidelity = try #require(KernelStrategiesSection.fidelity(rows + model))
        #expect(fidelity.contains("pair (interleaved rounds): the model's added ns lies inside the kernel's 95 % interval in 0 of 1 cells"), "\(fidelity)")
        // Four policies: the chance line counts the intervals that exclude zero.
        let four = (0..<40).flatMap { round -> [ResultRow] in
            let drift = Double(round % 7) * 20, wobble = round % 2 == 0 ? 0.5 : -0.5
            return [row("kernel", "pair", "pair", 1, 450 + drift, rep: round, phase: "interleaved"),
                    row("kernel-atomic", "pair", "pair", 1, 452 + drift + wobble, rep: round, phase: "interleaved"),
                    row("kernel-percpu-ref", "pair", "pair", 1, 450 + drift + wobble, rep: round, phase: "interleaved"),
                    row("kernel-lazy", "pair", "pair", 1, 450 + drift - wobble, rep: round, phase: "interleaved"),
                    row("kernel-hybrid", "pair", "pair", 1, 450 + drift + 3 * wobble, rep: round, phase: "interleaved")]
        }
        let chance = KernelStrategiesSection.findings(four).first { $0.hasPrefix("Of the") }
        #expect(chance == "Of the 4 pair intervals above, 1 excludes zero; at 95 % about 0.2 would by chance alone, so a single one is weak evidence.")
    }

    @Test func absentWithoutKernelPolicyRows() {
        #expect(KernelStrategiesSection.tables([row("kernel", "pair", "pair", 1, 400, rep: 0)]).isEmpty)
        #expect(KernelStrategiesSection.fidelity([]) == nil)
    }
}
