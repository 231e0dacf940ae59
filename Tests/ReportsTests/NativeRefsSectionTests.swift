import Results
import Testing
@testable import Reports

/// The native refcounts' table and findings from crafted rows: killed − live paired by block
/// (not the difference of medians), the kill's cost and time to atomic mode, the emulation
/// beside native, the n/a line, 75 columns, and the native rows first in the summary.
struct NativeRefsSectionTests {

    /// 12 blocks; live adds 40 (+b % 3), killed adds what live did plus `penalty(t)` in the same
    /// block, so the blocks' common level cancels only when paired.
    func rows(penalty: (Int) -> Double = { $0 == 1 ? 3 : 20 }) -> [ResultRow] {
        (0..<12).flatMap { b -> [ResultRow] in
            let level = 40 + Double(b % 3) * 5
            var out: [ResultRow] = []
            for t in [1, 2] {
                for (op, v) in [(Op.getPutLive, level), (Op.getPutKilled, level + penalty(t) + (b % 2 == 0 ? 0.25 : -0.25))] {
                    out.append(makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: op, threads: t, repetition: b,
                                       metric: .addedNs, value: v))
                    out.append(makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: op, threads: t, repetition: b,
                                       metric: .nsPerOp, value: v + 12))
                }
            }
            out.append(makeRow(strategy: NativeRefsSection.refcount, phase: .native, op: .pair, repetition: b, metric: .addedNs, value: 45))
            out.append(makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: .kill, repetition: b, metric: .latencyUs, value: 46))
            out.append(makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: .atomicSwitch, repetition: b, metric: .latencyUs, value: 14_800))
            return out
        }
    }

    @Test func theKillsCostIsPairedByBlock() throws {
        let p1 = try #require(NativeRefsSection.killPenalty(rows(), threads: 1)), p2 = try #require(NativeRefsSection.killPenalty(rows(), threads: 2))
        #expect(abs(p1.estimate - 3) <= 0.25 && abs(p2.estimate - 20) <= 0.25)
        // Paired, the ±5 ns between blocks cancels: the interval stays within the ±0.25 wobble.
        if case .interval(let a) = p2 { #expect(a.high - a.low <= 0.5) } else { Issue.record("no interval") }
    }

    @Test func theTableAndTheHeadline() throws {
        let t = try #require(NativeRefsSection.tables(rows()).first)
        #expect(t.rows.contains { $0[1] == "killed − live" && $0[2] == "2" && $0[4].hasPrefix("+20") }, "\(t.rows)")
        #expect(t.rows.contains { $0[0] == "refcount_t" && $0[4].hasPrefix("+45") })
        #expect(MailTableLayout.lines(t, width: 75).allSatisfy { $0.count <= 75 })
        let f = NativeRefsSection.findings(rows())
        let headline = try #require(f.first)
        #expect(headline.hasPrefix("The kernel's own percpu_ref"))
        #expect(headline.contains("so the kill adds +20") && headline.contains("46.00 µs") && headline.contains("14.80 ms later"), "\(headline)")
        #expect(f.count == 2 && f[1].contains("The kernel's refcount_t per object"))
        // Without the policies' rows there is no kernel pair to project with: said, not guessed.
        #expect(NativeRefsSection.projection(rows()) == "Beyond 2 CPUs this machine cannot show the killed ref's curve.")
    }

    /// The get+put timed op by op: a table of upper bounds, live against killed, the clock's own
    /// cost beside; the headline quotes the p99 at the most CPUs.
    @Test func theLatencyTableAndTheTailInTheHeadline() throws {
        var rows = rows()
        for (op, t, p99) in [(Op.getPutLive, 1, 64.0), (Op.getPutKilled, 1, 80.0), (Op.getPutLive, 2, 64.0), (Op.getPutKilled, 2, 160.0)] {
            for (metric, v) in [(Metric.p50Ns, 56.0), (.p99Ns, p99), (.p999Ns, 2 * p99), (.maxNs, 40_960)] {
                rows.append(makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: op, threads: t, metric: metric, value: v))
            }
            rows.append(makeRow(strategy: NativeRefsSection.empty, phase: .native, op: op, threads: t, metric: .p50Ns, value: 24))
        }
        let table = try #require(NativeRefsSection.tables(rows).first { $0.title.hasPrefix("get+put latency in the kernel") })
        #expect(table.rows.contains { $0[1] == "killed" && $0[2] == "2" && $0[4] == "≤160.0" }, "\(table.rows)")
        #expect(MailTableLayout.lines(table, width: 75).allSatisfy { $0.count <= 75 })
        let headline = try #require(NativeRefsSection.findings(rows).first)
        #expect(headline.contains("p99 ≤64.00 ns live and ≤160.0 ns killed"), "\(headline)")
        // The emulations' rows follow native's, each with its own object's clock (lazy).
        var withEmulations = rows
        for (metric, v) in [(Metric.p50Ns, 16.0), (.p99Ns, 320.0), (.p999Ns, 640.0), (.maxNs, 20_480)] {
            withEmulations.append(makeRow(strategy: NativeRefsSection.emulatedAtomic, phase: .native, op: .getPutKilled, threads: 2, metric: metric, value: v))
        }
        withEmulations.append(makeRow(strategy: NativeRefsSection.emulatedControl, phase: .native, op: .getPutKilled, threads: 2, metric: .p50Ns, value: 12))
        let both = try #require(NativeRefsSection.tables(withEmulations).first { $0.title.hasPrefix("get+put latency in the kernel") })
        #expect(both.rows.contains { $0 == ["emul. atomic", "killed", "2", "≤16.00", "≤320.0", "≤640.0", "≤20480", "≤12.00"] }, "\(both.rows)")
        // A p50 no higher than its object's clock is marked: the timing swamps the op.
        var swamped = withEmulations
        swamped.append(makeRow(strategy: NativeRefsSection.emulatedControl, phase: .native, op: .getPutKilled, threads: 2, metric: .p50Ns, value: 16))
        swamped.removeAll { $0.strategy == NativeRefsSection.emulatedControl && $0.value == 12 }
        let marked = try #require(NativeRefsSection.tables(swamped).first { $0.title.hasPrefix("get+put latency in the kernel") })
        #expect(marked.rows.contains { $0[0] == "emul. atomic" && $0[3] == "≤16.00*" }, "\(marked.rows)")
        #expect(!both.rows.contains { $0[3].hasSuffix("*") })
        #expect(!both.rows.contains { $0[0] == "emul. pcpu-ref" }, "no rows for what was not measured")
    }

    @Test func notMeasuredIsOneLine() {
        let na = [makeRow(strategy: NativeRefsSection.percpuRef, phase: .native, op: .getPutLive, metric: .nsPerOp, value: nil,
                          unit: "n/a: no cgroup2 filesystem")]
        #expect(NativeRefsSection.tables(na).isEmpty)
        #expect(NativeRefsSection.findings(na) == ["The kernel's own percpu_ref and refcount_t: not measured here (n/a: no cgroup2 filesystem)."])
        #expect(NativeRefsSection.findings([]).isEmpty)
    }

    /// The emulation beside native: kernel-atomic's accounting − kernel-percpu-ref's, against
    /// native's killed − live, per CPU count.
    @Test func theEmulationIsSetBesideNative() throws {
        let acct = (0..<12).flatMap { b -> [ResultRow] in
            [1, 2].flatMap { t -> [ResultRow] in
                [("kernel-lazy", 10.0), ("kernel-atomic", t == 1 ? 12.4 : 56.0), ("kernel-percpu-ref", 13.3)].map { s, v in
                    makeRow(strategy: s, phase: .interleaved, op: .acct, threads: t, repetition: b, metric: .nsPerOp, value: v + Double(b % 2) * 0.1)
                }
            }
        }
        let line = try #require(NativeRefsSection.findings(rows() + acct).first { $0.hasPrefix("Emulation against native") })
        #expect(line.contains("2 CPUs: native +20") && line.contains("+43 ns"), "\(line)")
    }

    /// The tails finding: the median over blocks of each block's p99 with the sign test's
    /// interval, killed against live paired by block, and the emulated percpu_ref against the
    /// emulated atomic (one object); ties (the same bucket) count neither way.
    @Test func theTailsFindingHasIntervalsOverBlocks() throws {
        var rows = rows()
        for b in 1...12 {
            for (subject, op, v) in [(NativeRefsSection.percpuRef, Op.getPutLive, 64.0),
                                     (NativeRefsSection.percpuRef, .getPutKilled, b == 1 ? 64 : [192.0, 224, 256][b % 3]),
                                     (NativeRefsSection.emulatedPercpuRef, .getPutKilled, 192), (NativeRefsSection.emulatedAtomic, .getPutKilled, 192),
                                     (NativeRefsSection.emulatedAtomic, .getPutLive, 160)] {
                rows.append(makeRow(strategy: subject, phase: .native, op: op, threads: 2, repetition: b, metric: .blockP99Ns, value: v))
            }
        }
        let line = try #require(NativeRefsSection.findings(rows).first { $0.contains("In tails") })
        #expect(line.contains("≤64.00 [≤64.00, ≤64.00] ns live and ≤224.0 [≤192.0, ≤256.0] ns killed"), "\(line)")
        #expect(line.contains("killed higher in 11 of 12 blocks, lower in 0"), "\(line)")
        #expect(line.contains("percpu_ref higher in 0 of 12 blocks, lower in 0 (sign test p 1"), "\(line)")
        #expect(NativeRefsSection.findings(self.rows()).allSatisfy { !$0.contains("In tails") }, "no block rows, no claim")
    }
}
