import Foundation
import Results
import Testing
@testable import Reports

/// The projection in the kernel's terms: N* ≈ T_op / t, never a saturated cost per op beside
/// an op that touches the line once per hundreds of ns.
@Suite struct ContentionProjectionTests {
    /// Without the native refcounts' rows the projection is of kernel-atomic's count.
    static let finding = ReportSections(rows: FullRunFixture.rows.filter { $0.phase != .native }).findings
        .first { $0.hasPrefix("PROJECTION, not measured") }

    /// With them it is the killed percpu_ref's line, in the same place.
    @Test func withNativeRowsTheProjectionIsTheKilledRefs() throws {
        let findings = ReportSections(rows: FullRunFixture.rows).findings
        #expect(!findings.contains { $0.hasPrefix("PROJECTION, not measured") })
        let p = try #require(findings.first { $0.hasPrefix("Beyond 2 CPUs (a projection, not measured)") })
        #expect(p.contains("a killed ref is one line touched by every get and put"), "\(p)")
    }

    @Test func neverASaturatedCostBesideTheKernelsOp() throws {
        let p = try #require(Self.finding)
        // "256 CPUs ≈ 2010 ns" beside "the kernel's new+drop pair here: 445.9 ns" was the old claim.
        #expect(p.range(of: #"\d+ CPUs ≈ [0-9.]+ ns"#, options: .regularExpression) == nil, "\(p)")
        #expect(!p.contains("per atomic op"))
    }

    @Test func saturationCPUsForTheKernelsPair() throws {
        let p = try #require(Self.finding)
        // kernel-atomic's pair: the interleaved rounds' median (1 thr), two touches per pair.
        #expect(p.contains("kernel-atomic touches its count twice per pair"), "\(p)")
        #expect(p.contains("N* ≈ 28 CPUs at t = 7.850 ns measured here"), "\(p)")
        #expect(p.contains("at perfbook's Milan t across CCXs (9.125 ns, its 64-CPU point)"))
        #expect(p.contains("across sockets (16.70 ns, its 160-CPU point)"))
        #expect(p.contains("The model's pair (2.600 ns) has N* ≈ 0.166: saturated from 2 CPUs"))
    }

    @Test func theArithmetic() throws {
        let proj = try #require(ContentionProjection(contendedRMW2Threads: 16))
        #expect(ContentionProjection.saturationCPUs(touchIntervalNs: 220, transferNs: proj.transferNs) == 27.5)
        #expect(abs(proj.publishedTransferNs - 6.376) < 0.01)
        #expect(proj.errors.map(\.cpus) == [16, 32, 64, 128, 160])
    }
}
