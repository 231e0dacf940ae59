import Testing
import Reports

@Suite struct FindingsTests {
    /// A live `mops` row for one repetition of a case.
    func row(_ strategy: String, _ mops: Double?, workload: String = "pair", op: String = "pair", threads: Int = 1,
             size: Int = 64, repetition: Int = 0, phase: String = "live", metric: String = "mops") -> ResultRow {
        ResultRow(runID: "r", timestamp: "t", commit: "c", host: "h", cpuModel: "cpu", kernel: "k", swift: "6.3.1",
                  build: "release", strategy: strategy, workload: workload, phase: phase, op: op, threads: threads,
                  cpus: "0", size: size, repetition: repetition, metric: metric, value: mops,
                  unit: mops == nil ? "n/a: test" : "Mops/s")
    }

    @Test func ratioIsAgainstTheFastestSystemAllocatorOfTheSameCase() throws {
        let rows = [
            row("glibc", 20), row("jemalloc", 40), row("tcmalloc", 30),
            row("percpu-ref", 10), row("percpu-ref", 30, repetition: 1),  // mean 20
            // Another size: jemalloc is not there, tcmalloc is the reference.
            row("tcmalloc", 50, size: 256), row("percpu-ref", 25, size: 256),
        ]
        let speeds = Findings.relativeSpeeds(rows)
        #expect(speeds.count == 2)
        let small = try #require(speeds.first { $0.size == 64 })
        #expect(small.reference == "jemalloc")
        #expect(small.mops == 20 && small.referenceMops == 40 && small.ratio == 0.5)
        let large = try #require(speeds.first { $0.size == 256 })
        #expect(large.reference == "tcmalloc" && large.ratio == 0.5)
    }

    @Test func onlyLiveThroughputOfTheSameCaseCounts() {
        let rows = [
            row("jemalloc", 100, phase: "post-kill"),  // not live
            row("jemalloc", 100, metric: "ns_per_op"),  // not throughput
            row("jemalloc", 100, threads: 2),  // another thread count
            row("jemalloc", 100, workload: "batch"),  // another workload
            row("jemalloc", 100, op: "alloc"),  // another op
            row("jemalloc", nil),  // missing value
            row("lazy", 10),
        ]
        #expect(Findings.relativeSpeeds(rows).isEmpty)
    }

    @Test func eachOpIsComparedSeparately() {
        let rows = [
            row("mimalloc", 10, op: "alloc"), row("mimalloc", 20, op: "free"), row("mimalloc", 5, op: "pair"),
            row("atomic", 5, op: "alloc"), row("atomic", 5, op: "free"), row("atomic", 5, op: "pair"),
        ]
        let speeds = Findings.relativeSpeeds(rows)
        #expect(speeds.map(\.op) == ["pair", "alloc", "free"])
        #expect(speeds.map(\.ratio) == [1, 0.5, 0.25])
    }

    @Test func systemAllocatorsAreNotComparedWithThemselves() {
        let rows = [row("glibc", 10), row("jemalloc", 20)]
        #expect(Findings.relativeSpeeds(rows).isEmpty)
    }

    @Test(arguments: [
        (kmem: 100.0, lazy: 100.0, verdict: Findings.ClaimVerdict.confirmed),
        (kmem: 104.0, lazy: 100.0, verdict: .confirmed),  // within 5 %: no benefit
        (kmem: 80.0, lazy: 100.0, verdict: .confirmed),  // slower: still no benefit
        (kmem: 106.0, lazy: 100.0, verdict: .refuted),  // a real benefit
    ])
    func fixedSizeClaimVerdict(kmem: Double, lazy: Double, verdict: Findings.ClaimVerdict) throws {
        let claim = try #require(Findings.fixedSizeClaim([row("kmem-cache", kmem), row("lazy", lazy)]))
        #expect(claim.verdict == verdict)
        #expect(abs(claim.ratio - kmem / lazy) < 1e-12)
    }

    @Test func fixedSizeClaimUsesTheGeometricMeanOverCases() throws {
        let rows = [
            row("kmem-cache", 200, size: 64), row("lazy", 100, size: 64),  // 2.0
            row("kmem-cache", 50, size: 256), row("lazy", 100, size: 256),  // 0.5
            row("kmem-cache", 300, op: "alloc"), row("lazy", 100, op: "alloc"),  // not a pair case
        ]
        let claim = try #require(Findings.fixedSizeClaim(rows))
        #expect(claim.cases.count == 2)
        #expect(abs(claim.ratio - 1) < 1e-12)
        #expect(claim.verdict == .confirmed)
    }

    @Test func fixedSizeClaimNeedsBothStrategies() {
        #expect(Findings.fixedSizeClaim([row("kmem-cache", 10), row("lazy", 10, size: 128)]) == nil)
        let text = Findings.lines([row("kmem-cache", 10)])
        #expect(text.contains { $0.contains("not tested") })
        #expect(text.contains("No system allocator rows to compare with."))
    }

    @Test func linesStateTheVerdictWithTheRatio() {
        let rows = [row("kmem-cache", 120), row("lazy", 100), row("jemalloc", 60), row("lazy", 100, repetition: 1)]
        let text = Findings.lines(rows)
        #expect(text.contains { $0.hasPrefix("Refuted: kmem-cache is 20 % faster than lazy") })
        #expect(text.contains { $0.contains("kmem-cache/lazy = 1.200") })
        #expect(text.contains { $0.hasPrefix("- lazy pair/pair t1 64B: 1.67x jemalloc (100 vs 60)") })
        #expect(text.contains { $0.hasPrefix("- kmem-cache pair/pair t1 64B: 2.00x jemalloc") })
    }

    @Test func linesFitTheMailWidth() {
        let long = "a-strategy-with-a-very-long-name-indeed"
        let rows = [
            row(long, 123_456.7, workload: "kptr-xchg", threads: 128, size: 4096),
            row("tcmalloc", 0.000123, workload: "kptr-xchg", threads: 128, size: 4096),
            row("kmem-cache", 1, workload: "kptr-xchg-and-more", threads: 128, size: 4096),
            row("lazy", 1_000_000, workload: "kptr-xchg-and-more", threads: 128, size: 4096),
        ]
        let text = Findings.lines(rows)
        #expect(text.count > 8)
        for line in text { #expect(line.count <= Findings.maximumLineWidth, "\(line)") }
    }
}
