import Testing
@testable import Reports

@Suite struct RunFindingsTests {
    /// Five repetitions of one case around `median`, ±`spread` (relative), in a fixed pattern.
    func reps(_ strategy: String, _ median: Double, spread: Double = 0.01, workload: String = "pair", phase: String = "live",
              op: String = "pair", threads: Int = 1, metric: String = "ns_per_op") -> [ResultRow] {
        [0.0, -1, 1, -0.5, 0.5].enumerated().map { i, k in
            makeRow(strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, repetition: i,
                    metric: metric, value: median * (1 + k * spread))
        }
    }

    var run: [ResultRow] {
        reps("global", 2.0) + reps("atomic", 12.0) + reps("lazy", 2.02, spread: 0.03) + reps("percpu-ref", 2.5)
            + reps("global", 2.0, phase: "post-kill") + reps("percpu-ref", 12.5, phase: "post-kill")
            + reps("atomic", 12.0, phase: "post-kill")
            + reps("glibc", 9.0) + reps("glibc", 14.0, phase: "drain", op: "drain") + reps("global", 8.0, phase: "drain", op: "drain")
            + reps("atomic", 12.0, phase: "drain", op: "drain")
            + [makeRow(strategy: "lazy", phase: "post-kill", metric: "ns_per_op", value: nil, unit: "n/a: no allocator map left")]
    }

    @Test func claimsADifferenceOutsideTheNoise() throws {
        let f = RunFindings.compute(rows: run)
        let live = try #require(f.first)
        #expect(live.hasPrefix("Live pair ns/op over global (1 thr)"))
        #expect(live.contains("atomic 6.00× ["))
        #expect(live.contains("percpu-ref +25% ["))
    }

    @Test func doesNotClaimADifferenceInsideTheNoise() throws {
        let live = try #require(RunFindings.compute(rows: run).first)
        // lazy is 1 % slower with ±3 % scatter: inside the band, so no difference is stated.
        #expect(live.contains("no significant difference: lazy (+1% ["))
        #expect(!live.contains(", lazy +1%"))
    }

    @Test func referenceRowsGetNoKillOrDrainClaims() {
        for line in RunFindings.compute(rows: run) { #expect(!line.contains("glibc"), "\(line)") }
    }

    @Test func postKillDowngradeAndWhatCannotAllocate() throws {
        let f = RunFindings.compute(rows: run)
        let after = try #require(f.first { $0.hasPrefix("After the kill") })
        #expect(after.contains("percpu-ref 6.25×"))
        #expect(after.contains("lazy cannot allocate"))
        let downgrade = try #require(f.first { $0.hasPrefix("percpu-ref after the kill") })
        #expect(downgrade.contains("5.00× ["))
        #expect(downgrade.contains("vs atomic live: +4%") || downgrade.contains("vs atomic live"))
        let drain = try #require(f.first { $0.hasPrefix("Frees after the kill") })
        #expect(drain.contains("atomic +50%"))
    }

    @Test func atomicWithThreads() throws {
        let rows = reps("atomic", 87, metric: "mops") + reps("atomic", 58, threads: 2, metric: "mops")
            + reps("global", 500, metric: "mops") + reps("global", 950, threads: 2, metric: "mops")
        let line = try #require(RunFindings.compute(rows: rows).first { $0.hasPrefix("atomic with threads") })
        #expect(line.contains("2 thr give 0.67× ["))
        #expect(line.contains("global 1.90×"))
    }

    @Test func fixedSizeClaimUsesSameSizeWorkloadsOnly() throws {
        let rows = reps("lazy", 2.0) + reps("kmem-cache", 2.01)
            + reps("lazy", 6.0, workload: "larson") + reps("kmem-cache", 4.0, workload: "larson")
        let claim = try #require(RunFindings.compute(rows: rows).first { $0.hasPrefix("v5 claim") })
        #expect(claim.contains("on 1 same-size case: no significant difference in any"))
        #expect(!claim.contains("larson"))
        #expect(claim.contains("not SLUB's kmem_cache"))
        let faster = reps("lazy", 2.0) + reps("kmem-cache", 1.6)
        let refuted = try #require(RunFindings.compute(rows: faster).first { $0.hasPrefix("v5 claim") })
        #expect(refuted.contains("faster in pair 1t -20%"))
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
        let bullets = lines[(start + 1)...].filter { !$0.isEmpty }
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
