import Results
import Testing
@testable import Reports
@testable import Statistics

@Suite struct RunFindingsTests {
    /// Five repetitions of one case around `median`, ±`spread` (relative), in a fixed pattern.
    func reps(_ strategy: String, _ median: Double, spread: Double = 0.01, workload: String = "pair", phase: Phase = .live,
              op: Op = .pair, threads: Int = 1, metric: Metric = .nsPerOp) -> [ResultRow] {
        [0.0, -1, 1, -0.5, 0.5].enumerated().map { i, k in
            makeRow(strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, repetition: i,
                    metric: metric, value: median * (1 + k * spread))
        }
    }

    var run: [ResultRow] {
        reps("global", 2.0) + reps("atomic", 12.0) + reps("lazy", 2.02, spread: 0.03) + reps("percpu-ref", 2.5)
            + reps("global", 4.0, phase: .postKill, op: .free) + reps("percpu-ref", 12.0, phase: .postKill, op: .free)
            + reps("atomic", 11.0, phase: .postKill, op: .free) + reps("lazy", 4.0, spread: 0.2, phase: .postKill, op: .free)
            + reps("percpu-ref", 3.0, workload: "batch", op: .free) + reps("global", 2.5, workload: "batch", op: .free)
            + reps("glibc", 9.0) + reps("glibc", 14.0, phase: .drain, op: .drain) + reps("global", 8.0, phase: .drain, op: .drain)
            + reps("atomic", 12.0, phase: .drain, op: .drain)
    }

    /// A baseline whose repetitions fall in two modes gives no added ns at all; a strategy in
    /// two modes is named with its modes instead of an effect. Today's median-of-5 would claim
    /// lazy +0.6 ns (+25 %) here from how the draws fell.
    @Test func twoModesAreSaidNotCompared() throws {
        func rows(_ strategy: String, _ values: [Double]) -> [ResultRow] {
            values.enumerated().map { i, v in makeRow(strategy: strategy, workload: "pair", phase: .live, op: .pair, threads: 1, repetition: i,
                                                      metric: .nsPerOp, value: v) }
        }
        let strategyModal = rows("global", [2.50, 2.51, 2.49, 2.50, 2.52]) + rows("lazy", [2.5, 3.3, 3.31, 2.51, 3.29]) + reps("atomic", 12.0)
        let live = try #require(RunFindings.compute(rows: strategyModal).first)
        #expect(live.contains("not compared, repetitions in two modes: lazy 2.505 ns ×2 or 3.300 ns ×3"), "\(live)")
        #expect(live.contains("atomic +9.") && !live.contains("lazy +"))
        let baseModal = rows("global", [2.6, 2.7, 3.32, 2.5, 3.32]) + reps("atomic", 12.0)
        let text = try #require(RunFindings.compute(rows: baseModal).first)
        #expect(text.contains("global's repetitions fall in two modes, 2.600 ns ×3 or 3.320 ns ×2, so no added ns is claimed"), "\(text)")
    }

    @Test func claimsADifferenceInAddedNanoseconds() throws {
        let f = RunFindings.compute(rows: run)
        let live = try #require(f.first)
        #expect(live.hasPrefix("Live pair, added ns/op over global (1 thr, global 2.000 ns)"))
        #expect(live.contains("atomic +10.00 ns [+"))
        #expect(live.contains("(6.00×)"))
        #expect(live.contains("percpu-ref +0.500 ns [+"))
        #expect(live.contains("(+25%)"))
    }

    @Test func aDifferenceNotClaimedSaysWhatItRulesOut() throws {
        let live = try #require(RunFindings.compute(rows: run).first)
        // lazy is 1 % slower with ±3 % scatter: inside the band, so no difference is stated,
        // only how large a difference the interval excludes.
        #expect(live.contains("no difference beyond ±3% (±0.060 ns): lazy"))
        #expect(!live.contains("lazy +"))
    }

    /// A narrow interval and a wide one inside the band are different claims: [-1, +1] rules out
    /// more than [-14, 0].
    @Test func theClaimCarriesItsPower() {
        let narrow = Effect(ratio: 1.0, low: 0.99, high: 1.01)
        let wide = Effect(ratio: 0.97, low: 0.86, high: 1.0)
        #expect(!narrow.isSignificant && !wide.isSignificant)
        #expect(narrow.resolvablePercent == 1)
        #expect(wide.resolvablePercent == 14)
        #expect(RunFindings.listing([("a", narrow), ("b", wide)])
            == "no difference beyond ±1%: a [-1, +1], no difference beyond ±14%: b [-14, 0]")
    }

    @Test func referenceRowsGetNoKillOrDrainClaims() {
        for line in RunFindings.compute(rows: run) { #expect(!line.contains("glibc"), "\(line)") }
    }

    @Test func afterTheKillOnlyFreesAreClaimed() throws {
        let f = RunFindings.compute(rows: run)
        #expect(!f.contains { $0.contains("cannot allocate") })
        let after = try #require(f.first { $0.hasPrefix("After the kill (no allocation is possible), concurrent frees by 1 worker") })
        #expect(after.contains("added ns/free over global (4.000 ns)"))
        #expect(after.contains("percpu-ref +8.000 ns"))
        #expect(after.contains("atomic +7.000 ns"))
        let downgrade = try #require(f.first { $0.contains("percpu-ref after the kill") })
        // Against global on the same path, after the kill and while live: the map exchange of
        // the after-kill frees cancels out.
        #expect(downgrade.contains("its put, now an atomic RMW, adds over global's free +8.000 ns ["))
        #expect(downgrade.contains("per free at 1 thr (live: +0.500 ns ["))
        #expect(downgrade.contains("atomic's +7.000 ns"))
        let drain = try #require(f.first { $0.contains("The map's free after the kill") })
        #expect(drain.contains("atomic +4.000 ns"))
    }

    /// Frees after the kill are compared on `over_control`: a host episode that slowed lazy's
    /// repetitions by 30 % moves its ns, not its ratio to the same chunks' control pass, so
    /// identical free paths show no difference; a real one (atomic's put) still does, stated in
    /// ns of global's median free.
    @Test func freesAfterTheKillAreComparedOverTheirControl() throws {
        let rows = reps("global", 2.0) + reps("lazy", 2.0) + reps("atomic", 2.5)
            + reps("global", 4.0, phase: .postKill, op: .free) + reps("lazy", 5.2, phase: .postKill, op: .free)
            + reps("atomic", 6.0, phase: .postKill, op: .free)
            + reps("global", 0.85, phase: .postKill, op: .free, metric: .overControl)
            + reps("lazy", 0.85, phase: .postKill, op: .free, metric: .overControl)
            + reps("atomic", 1.275, phase: .postKill, op: .free, metric: .overControl)
        let f = RunFindings.compute(rows: rows)
        let after = try #require(f.first { $0.hasPrefix("After the kill (no allocation is possible), concurrent frees by 1 worker") })
        #expect(after.contains("no difference beyond ±0% (±0 ns): lazy"), "\(after)")
        #expect(after.contains("atomic +2.000 ns ["), "\(after)")
        // Without the control rows (an older CSV) the ns decide, and lazy's episode shows.
        let old = RunFindings.compute(rows: rows.filter { $0.metric != .overControl })
        #expect(old.contains { $0.hasPrefix("After the kill") && $0.contains("lazy +1.200 ns") })
    }

    /// The v5 claim is a tautology in this model and cannot be tested through any BPF path:
    /// said once, never claimed either way.
    @Test func theV5ClaimIsNotClaimed() throws {
        let rows = reps("global", 2.0) + reps("lazy", 2.0) + reps("kmem-cache", 1.6)
        let f = RunFindings.compute(rows: rows)
        #expect(!f.contains { $0.hasPrefix("v5 claim") })
        let note = try #require(f.first { $0.hasPrefix("Not testable here") })
        #expect(note.contains("no claim is made either way"))
    }

    @Test func kernelRowsQuoteThePair() throws {
        let rows = reps("global", 2.0) + reps("kernel", 450) + reps("kernel", 400, workload: "batch", op: .alloc)
            + reps("kernel", 30, workload: "batch", op: .free) + reps("atomic", 4.0)
        let f = RunFindings.compute(rows: rows)
        let model = try #require(f.first { $0.contains("Model vs kernel") })
        #expect(model.contains("Compare pairs, not alloc and free apart"))
        let live = try #require(f.first)
        #expect(live.contains("so atomic's added cost would be 0.44% of it"))
    }

    @Test func theProjectionIsLabelledAndChecked() throws {
        let host = [makeRow(strategy: "host", workload: "line", phase: .calibration, op: .rmw, threads: 2, repetition: 0,
                            metric: .nsPerOp, value: 8.0)]
        let f = RunFindings.compute(rows: run + host)
        let p = try #require(f.first { $0.hasPrefix("PROJECTION, not measured") })
        // No kernel rows: the model's own atomic pair is the op, labelled as the model's.
        #expect(p.contains("the model's atomic touches its count twice per pair (12.00 ns here)"), "\(p)")
        #expect(p.contains("N* ≈ 1.500 CPUs at t = 4.000 ns measured here"))
        #expect(p.contains("160 CPUs -"))
        // Fitted on perfbook's 2-8 CPUs: N·t through the origin.
        let proj = try #require(ContentionProjection(contendedRMW2Threads: 8))
        #expect(abs(proj.publishedTransferNs - 6.376) < 0.01)
    }

    @Test func atomicWithThreads() throws {
        let rows = reps("atomic", 87, metric: .mops) + reps("atomic", 58, threads: 2, metric: .mops)
            + reps("global", 500, metric: .mops) + reps("global", 950, threads: 2, metric: .mops)
        let line = try #require(RunFindings.compute(rows: rows).first { $0.contains("atomic with threads") })
        #expect(line.contains("2 thr give 0.67× ["))
        #expect(line.contains("global 1.90×"))
    }

    @Test func safetyInOneLine() {
        let v = [
            SafetyVerdict(scenario: "map-in-map-escape", title: "", strategy: "atomic", kind: .safe, label: "safe", expected: .safe,
                          evidence: "", iterations: 1, faultyIterations: 0, threads: 1, cpus: "0", size: 64),
            SafetyVerdict(scenario: "concurrent-walk", title: "", strategy: "lazy", kind: .useAfterFree, label: "use-after-free",
                          expected: .useAfterFree, evidence: "", iterations: 1000, faultyIterations: 737, threads: 2, cpus: "0-1", size: 64),
        ]
        let line = RunFindings.safetyLine(v)
        #expect(line == "Safety (2 verdicts, all match the expectation table): safe atomic; lazy UAF #2 (737/1000) "
            + "(#1 map-in-map-escape, #2 concurrent-walk).")
    }

    @Test func mailHasNoBrokenOrEmptyBulletsAndFitsTheWidth() {
        let d = RunDescription(runID: "r", command: "bench --strategy all", host: "h", cpuModel: "CPU", cpus: "0-1", nodes: 1,
                               kernel: "6.8", swift: "6.3", build: "release", commit: "abc", timestamp: "t", settings: "s", notes: [])
        let sections = ReportSections(rows: run)
        let mail = MailReport.render(d, sections)
        let lines = mail.split(separator: "\n", omittingEmptySubsequences: false)
        for l in lines { #expect(l.count <= MailReport.width, "\(l)") }
        let start = try! #require(lines.firstIndex(of: "These results show:"))
        // The model's heading is not a bullet.
        let heading = Set(TextWrap.wrap(RunClaims.modelHeading, width: MailReport.width).map { Substring($0) })
        let bullets = lines[(start + 1)...].filter { !$0.isEmpty && !heading.contains($0) }
        #expect(bullets.count == sections.findings.count + bullets.filter { $0.hasPrefix("  ") }.count)
        for b in bullets {
            #expect(b.hasPrefix("- ") || b.hasPrefix("  "), "\(b)")
            #expect(String(b).trimmingCharacters() != "-", "empty bullet")
        }
        #expect(sections.findings.count <= 11)
        // The markdown opens with the summary: the three first findings.
        let md = MarkdownReport.render(d, sections)
        #expect(md.contains("1. " + sections.findings[0]))
    }
}

/// Single-op latency is printed only where the clock resolves it.
@Suite struct LatencyTableTests {
    func row(_ s: String, _ w: String, _ metric: Metric, _ v: Double) -> ResultRow {
        makeRow(strategy: s, workload: w, phase: .live, op: .alloc, metric: metric, value: v)
    }

    @Test func noValueBelowTheResolutionIsPrintedAsANumber() throws {
        var rows = [makeRow(strategy: "host", workload: "clock", phase: .calibration, op: .tsc, metric: .resolutionNs, value: 10)]
        // pair: every percentile within one step -> left out; batch: refills in the tail.
        for (m, v) in [(Metric.p50Ns, 0.0), (.p99Ns, 10), (.p999Ns, 10), (.maxNs, 300)] { rows.append(row("global", "pair", m, v)) }
        for (m, v) in [(Metric.p50Ns, 0.0), (.p99Ns, 50), (.p999Ns, 60), (.maxNs, 400)] { rows.append(row("global", "batch", m, v)) }
        let tables = ReportSections(rows: rows).tables.filter { $0.title.hasPrefix("live alloc latency") }
        let t = try #require(tables.first)
        #expect(t.title.contains("clock resolution 10.00 ns"))
        #expect(t.title.contains("max = the slowest single op"))
        #expect(t.title.contains("1 cases left out"))
        #expect(t.rows.count == 1)
        #expect(t.rows[0] == ["global batch", "1", "<10.00", "50.00", "60.00", "400.0"])
    }
}
