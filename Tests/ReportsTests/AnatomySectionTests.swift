import Results
import Testing
@testable import Reports

/// The anatomy's rows read back: parts with intervals over blocks, counts, each block's regime,
/// and one terminal line; nothing without anatomy rows.
struct AnatomySectionTests {
    /// Six blocks of `kernel` (two of them in the fresh regime) and of `kernel-htab`.
    func rows() -> [ResultRow] {
        var out: [ResultRow] = []
        for b in 0..<6 {
            func add(_ s: String, _ op: Op, _ m: Metric, _ v: Double) {
                out.append(makeRow(strategy: s, phase: .anatomy, op: op, repetition: b, metric: m, value: v))
            }
            let fresh = b < 2
            add("kernel", .pair, .nsPerOp, 430 + 2 * Double(b))
            add("kernel", .harness, .nsPerOp, 20)
            add("kernel", .irqWork, .nsPerOp, fresh ? 240 : 110)
            add("kernel", .irqWorkOutside, .nsPerOp, 30)
            add("kernel", .rcuSoftirq, .nsPerOp, 15)
            add("kernel", .rest, .nsPerOp, 430 + 2 * Double(b) - 20 - (fresh ? 240 : 110) - 30 - 15)
            add("kernel", .kmallocUnit, .per1000Ops, fresh ? 1020 : 10)
            add("kernel", .irqWork, .per1000Ops, 20.8)
            add("kernel-htab", .pair, .nsPerOp, 226)
            add("kernel-htab", .kmallocUnit, .per1000Ops, 0)
        }
        return out
    }

    @Test func partsCountsAndRegimes() throws {
        let tables = AnatomySection.tables(rows())
        #expect(tables.count == 2)
        let parts = try #require(tables.first)
        #expect(parts.header == ["part", "kernel", "kernel-htab"])
        // Six blocks give the sign test's interval: from the smallest to the largest.
        #expect(parts.rows[0] == ["pair (untraced)", "435 [430, 440]", "226 [226, 226]"])
        let counts = tables[1]
        #expect(counts.title.hasSuffix("the regime of kernel's blocks: fresh 2/6, reuse 4/6"))
        #expect(counts.rows[0][1] == "10.0")  // kmalloc obj, median of 1020 ×2 and 10 ×4
        let line = try #require(AnatomySection.summary(rows()))
        // Means, so the parts add up: 435 = 20 + 153.3 + 30 + 15 + 216.7.
        #expect(line.hasPrefix("anatomy (means of 6 blocks): kernel's pair 435 ns = 20.0 harness + 153 irq_work inside + 30.0 outside"))
        #expect(line.contains("+ 217 rest (fresh 2/6, reuse 4/6)"))
        #expect(line.contains("kernel-htab 226 ns"))
    }

    @Test func nothingWithoutAnatomyRows() {
        let other = [makeRow(strategy: "kernel", phase: .live, metric: .nsPerOp, value: 430)]
        #expect(AnatomySection.tables(other).isEmpty)
        #expect(AnatomySection.summary(other) == nil)
    }
}

/// The interleaved blocks' regime: counted in the kernel table's title; where fresh and reuse
/// blocks both occur, the pair's cells per regime from the pair workload only.
struct RegimeSplitTests {
    @Test func bothRegimesGiveATable() throws {
        var rows: [ResultRow] = []
        for b in 0..<4 {
            rows.append(makeRow(strategy: "kernel", phase: .interleaved, op: .kmallocUnit, repetition: b, metric: .per1000Ops, value: b == 0 ? 1010 : 5))
            rows.append(makeRow(strategy: "kernel", phase: .interleaved, op: .pair, repetition: b, metric: .nsPerOp, value: b == 0 ? 700 : 500))
            rows.append(makeRow(strategy: "kernel-atomic", phase: .interleaved, op: .pair, repetition: b, metric: .addedNs, value: b == 0 ? 9 : 3))
            // Another workload's pair op must not count.
            rows.append(makeRow(strategy: "kernel-atomic", workload: "remote", phase: .interleaved, op: .pair, repetition: b, metric: .addedNs, value: 99))
        }
        #expect(RegimeSplit.summary(rows, size: 64) == "allocator regime at each block's end: fresh 1/4, reuse 3/4")
        let repetition = makeRow(strategy: "kernel-atomic", phase: .live, op: .kmallocUnit, metric: .per1000Ops, value: 980)
        #expect(RegimeSplit.summary(rows + [repetition], size: 64)
                == "allocator regime at each block's end: fresh 1/4, reuse 3/4; after each whole repetition: fresh 1/1")
        let t = try #require(RegimeSplit.table(rows))
        #expect(t.rows == [["kernel ns", "1", "700 (n=1)", "500 (n=3)"], ["kernel-atomic +ns", "1", "9.00 (n=1)", "3.00 (n=3)"]])
        let oneRegime = rows.filter { !($0.op == .kmallocUnit && $0.repetition == 0) }
        #expect(RegimeSplit.table(oneRegime) == nil)
    }

    @Test func wholeRepetitionsSplitOnlyWhereBothRegimesMet() throws {
        var rows: [ResultRow] = []
        for rep in 0..<3 {
            rows.append(makeRow(strategy: "kernel", phase: .live, op: .kmallocUnit, threads: 2, repetition: rep, metric: .per1000Ops, value: rep == 0 ? 990 : 3))
            rows.append(makeRow(strategy: "kernel", phase: .live, op: .pair, threads: 2, repetition: rep, metric: .nsPerOp, value: rep == 0 ? 700 : 600))
            rows.append(makeRow(strategy: "kernel", phase: .live, op: .kmallocUnit, threads: 1, repetition: rep, metric: .per1000Ops, value: 3))
            rows.append(makeRow(strategy: "kernel", phase: .live, op: .pair, threads: 1, repetition: rep, metric: .nsPerOp, value: 550))
        }
        let t = try #require(RegimeSplit.repetitionTable(rows))
        #expect(t.rows == [["kernel", "pair pair", "2", "700 (n=1)", "600 (n=2)"]])
    }
}
