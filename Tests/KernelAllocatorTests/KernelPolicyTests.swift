import Foundation
import Platform
import Results
import Testing
@testable import KernelAllocator

/// The lifetime policies inside BPF programs: every program loads and runs with matching
/// counters, and each policy's own count ends at exactly zero with exactly one release after
/// the kill and the frees (a planted extra put is caught by name). No timing is asserted.
@Suite(.enabled(if: !KernelTestSupport.skip), .serialized)
struct KernelPolicyTests {
    static let policies: [KernelSubjectKind] = [.kernelAtomic, .kernelPercpuRef, .kernelLazy, .kernelHybrid]
    static let cases: [(KernelSubjectKind, WorkloadKind)] = policies.flatMap { p in [WorkloadKind.pair, .batch, .kptrXchg].map { (p, $0) } }

    @Test(arguments: cases.indices)
    func countsEveryOperationAndEndsAtZeroWithOneRelease(_ i: Int) throws {
        let (subject, workload) = Self.cases[i]
        let spec = KernelCaseSpec(subject: subject, workload: workload, cpus: [0], size: 64, opsPerRun: 128, slots: 64, mapValues: 1000)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        for _ in 0..<2 { // the reset between repetitions must leave a working allocator
            let totals = try c.measure(durationNs: 10_000_000, warmupNs: 0)
            #expect(totals.allocOps + totals.pairOps > 0)
            try c.drain()
            let r = try c.lifecycle()
            #expect(r.final.count == 0 && r.final.releases == 1)
            #expect(r.postKill.freeOps == 500 && r.drain.freeOps == 500)
            let policy = try #require(subject.policy)
            #expect((r.walkNs != nil) == policy.walksAtKill)
            #expect((r.graceNs != nil) == policy.hasGraceAndFold)
            #expect(r.killAt == (subject == .kernelHybrid ? Phase.drain : Phase.kill))
            #expect(r.conditioning == [.gracePeriod, .warmUpWalk(values: 1000)])
        }
        // Provenance: every object allocated was freed (the kptr-xchg drain runs on the
        // caller's CPU, so sum over every CPU).
        let counted = ProvenanceCounters.read(c.object, cpus: Array(0..<KernelCase.possibleCPUs))
        #expect(counted.failed == 0)
        #expect(counted.allocated > 0 && counted.allocated == counted.freed)
    }

    @Test(.enabled(if: KernelTestSupport.twoCPUs), arguments: policies)
    func remoteAndTwoWorkerFreesEndAtZero(_ subject: KernelSubjectKind) throws {
        for workload in [WorkloadKind.remote, .pair] {
            let spec = KernelCaseSpec(subject: subject, workload: workload, cpus: [0, 1], size: 64, opsPerRun: 128, mapValues: 2000)
            let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
            defer { c.close() }
            _ = try c.measure(durationNs: 10_000_000, warmupNs: 0)
            let r = try c.lifecycle()
            #expect(r.final.count == 0 && r.final.releases == 1)
            #expect(r.postKill.freeOps == 1000)
        }
    }

    /// Whatever each policy's own kill did (walk, grace period, fold, or nothing), the steps
    /// between it and the timed frees are the same for every policy.
    @Test func everyPolicyIsConditionedAlikeBeforeItsFrees() throws {
        var sequences: [[ConditioningStep]] = []
        for subject in Self.policies {
            let spec = KernelCaseSpec(subject: subject, workload: .batch, cpus: [0], size: 64, opsPerRun: 64, mapValues: 512)
            let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
            defer { c.close() }
            sequences.append(try c.lifecycle().conditioning)
        }
        #expect(Set(sequences.map { "\($0)" }).count == 1, "\(sequences)")
        #expect(sequences[0].last == .warmUpWalk(values: 512))
    }

    /// One put too many (a double free's accounting) is caught, naming the case.
    @Test(arguments: policies)
    func plantedExtraPutIsCaught(_ subject: KernelSubjectKind) throws {
        let spec = KernelCaseSpec(subject: subject, workload: .batch, cpus: [0], size: 64, opsPerRun: 64, mapValues: 256)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        _ = try c.measure(durationNs: 5_000_000, warmupNs: 0)
        try c.plantExtraPut()
        do {
            _ = try c.lifecycle()
            Issue.record("an extra put went unnoticed")
        } catch {
            #expect(error.message.contains(subject.rawValue))
            #expect(error.message.contains("count"))
        }
    }

    /// percpu-ref: objects stashed in per-CPU mode and freed in atomic mode after the fold (the
    /// per-CPU slot says +N, the shared count −N): the fold must bring them together at zero.
    @Test func perCPUGetsAndAtomicPutsMeetAtZero() throws {
        let spec = KernelCaseSpec(subject: .kernelPercpuRef, workload: .batch, cpus: [0], size: 64, opsPerRun: 64, mapValues: 4096)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        let r = try c.lifecycle()
        #expect(r.final.count == 0 && r.final.releases == 1)
    }

    @Test func policiesNeedTheirWorkloadShape() {
        #expect(KernelSubjectKind.kernelAtomic.unsupported(.remote, threads: 1) != nil)
        #expect(KernelSubjectKind.kernelHybrid.unsupported(.kptrXchg, threads: 1) == nil)
        var e = KernelTestSupport.environment
        e.bpftool = nil
        let build = BPFBuild(environment: e, cacheDirectory: NSTemporaryDirectory() + "memalloc-bpf-none")
        for s in Self.policies {
            #expect(throws: KernelUnavailable.self) {
                _ = try KernelCase(spec: KernelCaseSpec(subject: s, workload: .pair, cpus: [0], size: 64), build: build)
            }
        }
    }
}
