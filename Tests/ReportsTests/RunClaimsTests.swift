import Testing
@testable import Reports

/// "These results show:" of a full run: at most 12, the kernel's first, the model's under a
/// heading, and every model claim the kernel resolves differently saying so with its figure.
@Suite struct RunClaimsTests {
    static let sections = ReportSections(rows: FullRunFixture.rows, safety: FullRunFixture.safety)

    @Test func atMostTwelveKernelFirst() {
        let c = Self.sections.claims
        #expect(c.all.count <= RunClaims.limit, "\(c.all.count) claims")
        #expect(!c.kernel.isEmpty && !c.model.isEmpty)
        // The kernel's own percpu_ref opens, the emulated policies follow.
        #expect(c.kernel.first?.hasPrefix("The kernel's own percpu_ref") == true, "\(c.kernel.first ?? "")")
        #expect(c.kernel.dropFirst(2).first?.hasPrefix("kernel-atomic") == true, "\(c.kernel)")
        // The model's claims never come before a kernel claim.
        #expect(Self.sections.findings == c.kernel + c.model)
        #expect(!c.kernel.contains { $0.hasPrefix("Live pair") || $0.hasPrefix("After the kill") })
    }

    @Test func theMailSaysWhatTheModelIs() throws {
        let mail = MailReport.render(FullRunFixture.description, Self.sections)
        let lines = mail.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let show = try #require(lines.firstIndex(of: "These results show:"))
        let heading = try #require(lines.firstIndex { $0.hasPrefix("The model: the 2022 allocator design") })
        let live = try #require(lines.firstIndex { $0.hasPrefix("- Live pair") })
        #expect(show < heading && heading < live)
        #expect(mail.contains("immediate reuse"))
    }

    /// The model's atomic loses 87 % of its throughput at 2 threads; the kernel's doubles it.
    @Test func aContradictedModelClaimCarriesTheKernelsFigure() throws {
        let threads = try #require(Self.sections.findings.first { $0.contains("atomic with threads: 2 thr give") })
        #expect(threads.contains("The kernel resolves this differently: the kernel's atomic pair: 2 thr give"), "\(threads)")
        #expect(threads.contains("the 1-thr throughput (kernel-atomic rows)"))
        // The same bullet: the model's +72 ns at 2 threads beside the kernel's added ns.
        #expect(threads.contains("at 2 thr the model's atomic adds +71.90 ns, kernel-atomic +"), "\(threads)")
        #expect(threads.contains("over kernel-lazy (interleaved rounds)"))
    }

    /// The model's added cost at 2 threads is a saturated line's: never scaled to the kernel's pair.
    @Test func noSaturatedCostAsAShareOfTheKernelsPair() {
        for f in Self.sections.findings { #expect(!f.contains("added cost would be"), "\(f)") }
    }

    @Test func theOneOffCostsAreTheKernels() throws {
        let f = try #require(Self.sections.findings.first { $0.hasPrefix("One-off costs") })
        #expect(f.hasPrefix("One-off costs in the kernel (1 thr, median): the kill as its caller pays it 0.019 µs (kernel-atomic), 0.131 µs (kernel-percpu-ref)"), "\(f)")
        #expect(f.contains("(kernel-lazy, at 16384 values), more than kernel-percpu-ref's kill from about 5 map values"))
        #expect(f.contains("14.80 ms (kernel-percpu-ref"))
        #expect(!f.contains("the model's"))
        let own = try #require(Self.sections.findings.first { $0.hasPrefix("Owning an allocator") })
        #expect(own.contains("the kernel creates one (a 1-entry no-prealloc hash map) in 8.165 µs"), "\(own)")
        #expect(!own.contains("most of it reserving slabs"))
    }

    /// Without kernel rows the model's figures stand in, labelled as the model's.
    @Test func withoutKernelRowsTheModelsFiguresAreLabelled() throws {
        let rows = FullRunFixture.rows.filter { !$0.strategy.hasPrefix("kernel") }
        let f = try #require(RunFindings.compute(rows: rows).first { $0.hasPrefix("One-off costs") })
        #expect(f.contains("the kill as its caller pays it (the model's) 0.240 µs (atomic), 0.871 µs (percpu-ref)"), "\(f)")
        #expect(f.contains("the unload walk (the model's) 20.5"))
    }

    @Test func lowestPrioritiesGoFirst() {
        let c = RunClaims(candidates: [.init("a", .kernel, priority: 100), .init("m", .model, priority: 70),
                                       .init("h", .kernel, priority: 40), .init("b", .kernel, priority: 90)], limit: 3)
        #expect(c.kernel == ["a", "b"])
        #expect(c.model == ["m"])
    }
}
