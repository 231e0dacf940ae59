import Foundation
import Platform
import Results
import Testing
@testable import KernelAllocator

/// Every kernel program loads and runs here, and its counters prove the rows measured the
/// kernel allocator. No timing is asserted.
@Suite(.enabled(if: !KernelTestSupport.skip), .serialized)
struct KernelCaseTests {
    static let singleWorkerCases: [(KernelSubjectKind, WorkloadKind)] = [
        (.kernel, .pair), (.kernel, .batch), (.kernel, .kptrXchg),
        (.kernelHtab, .pair), (.kernelHtab, .batch), (.kernelHarness, .pair),
    ]

    @Test(arguments: singleWorkerCases.indices)
    func loadsRunsAndCountsEveryOperation(_ i: Int) throws {
        let (subject, workload) = Self.singleWorkerCases[i]
        let spec = KernelCaseSpec(subject: subject, workload: workload, cpus: [0], size: 64, opsPerRun: 128, slots: 64)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        // No warm-up: every operation the programs ran was timed, so the counters must match.
        let totals = try c.measure(durationNs: 20_000_000, warmupNs: 0)
        let counted = c.counters()
        #expect(counted.failed == 0)
        switch workload {
        case .batch:
            #expect(totals.allocOps > 0 && totals.allocOps == totals.freeOps)
            #expect(counted.allocated == UInt64(totals.allocOps))
            #expect(counted.freed == UInt64(totals.freeOps))
        default:
            #expect(totals.pairOps > 0 && totals.pairOps % 128 == 0)
            #expect(counted.allocated == UInt64(totals.pairOps))
        }
        if workload == .kptrXchg {
            // Every exchange either dropped an old object or found an empty slot; the drain
            // empties the slots still full.
            let left = try c.drain()
            #expect(counted.freed + counted.empty == counted.allocated)
            #expect(left > 0 && left <= 64)
            #expect(Int(counted.empty) == left + 0 || counted.empty >= UInt64(left))
        }
    }

    @Test(.enabled(if: KernelTestSupport.twoCPUs), arguments: [KernelSubjectKind.kernel, .kernelHtab])
    func remoteFreesEveryObjectOnTheOtherCPU(_ subject: KernelSubjectKind) throws {
        let spec = KernelCaseSpec(subject: subject, workload: .remote, cpus: [0, 1], size: 64, opsPerRun: 128)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        let totals = try c.measure(durationNs: 20_000_000, warmupNs: 0)
        #expect(totals.allocOps > 0)
        #expect(totals.allocOps == totals.freeOps)
        // The producer's CPU allocated everything and freed nothing; the consumer the reverse.
        let producer = ProvenanceCounters.read(c.object, cpu: 0), consumer = ProvenanceCounters.read(c.object, cpu: 1)
        #expect(producer.allocated == UInt64(totals.allocOps) && producer.freed == 0)
        #expect(consumer.freed == UInt64(totals.freeOps) && consumer.allocated == 0)
    }

    @Test(.enabled(if: KernelTestSupport.twoCPUs))
    func twoWorkersEachCountOnTheirOwnCPU() throws {
        let spec = KernelCaseSpec(subject: .kernel, workload: .pair, cpus: [0, 1], size: 64, opsPerRun: 128)
        let c = try KernelCase(spec: spec, build: KernelTestSupport.build)
        defer { c.close() }
        let totals = try c.measure(durationNs: 20_000_000, warmupNs: 0)
        let cpu0 = ProvenanceCounters.read(c.object, cpu: 0), cpu1 = ProvenanceCounters.read(c.object, cpu: 1)
        #expect(cpu0.allocated > 0 && cpu1.allocated > 0)
        #expect(cpu0.allocated + cpu1.allocated == UInt64(totals.pairOps))
    }

    /// Objects held in kptr slots come from kmalloc-cg-<unit>: the slab count rises with them,
    /// so the rows measured the kernel's allocator, not a stub.
    @Test func heldObjectsAreKernelSlabObjects() throws {
        let held = 200_000
        let cache = try #require(SlabUsage.globalAllocatorCache(objectSize: 64))
        let object = try BPFObject(.objSlots, objectSize: 64, build: KernelTestSupport.build, maxEntries: [ObjSlotsMap.slots.id: UInt32(held)],
                                   autoload: [ObjSlotsProgram.stash.id, ObjSlotsProgram.unstash.id], logName: "test.verifier")
        defer { object.close() }
        let stash = object.testRun(ObjSlotsProgram.stash)
        let unstash = object.testRun(ObjSlotsProgram.unstash)
        var growth: Int?
        var dropped = ProvenanceCounters()
        try PinnedThread.run(on: [0]) { _, cpu in
            guard let before = SlabUsage.activeObjects(cache: cache) else { return }
            _ = try? stash.run(iterations: held)
            growth = SlabUsage.activeObjects(cache: cache).map { $0 - before }
            let c0 = ProvenanceCounters.read(object, cpu: cpu)
            _ = try? unstash.run(iterations: held)
            dropped = ProvenanceCounters.read(object, cpu: cpu) - c0
        }
        let g = try #require(growth, "/proc/slabinfo unreadable")
        // A stub allocator would leave the cache flat. Objects dropped by earlier tests and still
        // waiting for a grace period are reused first (alloc_bulk takes free_by_rcu_ttrace before
        // kmalloc), and tests running beside this one free into the same cache, so hold far more
        // than they allocate and ask for a quarter: a stub would leave the cache flat.
        #expect(g >= held / 4, "\(cache) grew by \(g) while \(held) objects were held")
        #expect(dropped.freed == UInt64(held))
    }

    @Test(arguments: KernelTeardown.MapKind.allCases)
    func teardownWaitsUntilTheMapIsGone(_ kind: KernelTeardown.MapKind) throws {
        let t = try KernelTeardown.measure(kind, objects: 1000, size: 64, cpu: 0, build: KernelTestSupport.build)
        #expect(t.objects == 1000)
        #expect(t.goneNs >= t.closeNs)
    }
}
