import Results
import Testing
@testable import Reports

/// The model-vs-kernel table from crafted rows: ratio, harness subtraction, missing cells.
struct ModelKernelSectionTests {
    func row(_ strategy: String, _ workload: String, _ op: Op, _ threads: Int, _ ns: Double?, rep: Int = 0) -> ResultRow {
        ResultRow(runID: "r", timestamp: "t", commit: "c", host: "h", cpuModel: "m", kernel: "k", swift: "s", build: "release",
                  strategy: strategy, workload: workload, phase: .live, op: op, threads: threads, cpus: "0", size: 64,
                  repetition: rep, metric: .nsPerOp, value: ns, unit: ns == nil ? "n/a: no CAP_BPF" : "ns")
    }

    @Test func ratioAndHarnessSubtraction() throws {
        let rows = [
            row("global", "pair", .pair, 1, 4), row("kernel", "pair", .pair, 1, 400), row("kernel-htab", "pair", .pair, 1, 200),
            row("kernel-harness", "pair", .pair, 1, 10),
            row("global", "batch", .alloc, 1, 20), row("kernel", "batch", .alloc, 1, 500),
            row("global", "batch", .free, 1, 5), row("kernel", "batch", .free, 1, 50),
        ]
        let tables = ModelKernelSection.tables(ResultTable(rows: rows))
        let t = try #require(tables.first)
        #expect(t.title.hasPrefix("model vs kernel"))
        let pair = try #require(t.rows.first { $0[0] == "pair" })
        #expect(pair == ["pair", "1", "4.000", "400.0", "390.0", "100.0×", "200.0", "50.00×"])
        let alloc = try #require(t.rows.first { $0[0] == "batch alloc" })
        #expect(alloc[5] == "25.00×")
    }

    @Test func absentWithoutKernelRows() {
        let tables = ModelKernelSection.tables(ResultTable(rows: [row("global", "pair", .pair, 1, 4)]))
        #expect(tables.isEmpty)
    }

    @Test func unavailableKernelShowsNA() throws {
        let rows = [row("global", "pair", .pair, 1, 4), row("kernel", "pair", .pair, 1, nil), row("kernel-htab", "pair", .pair, 1, 200)]
        let t = try #require(ModelKernelSection.tables(ResultTable(rows: rows)).first)
        #expect(t.rows.first?[3] == "n/a")
        #expect(t.rows.first?[7] == "50.00×")
    }
}
