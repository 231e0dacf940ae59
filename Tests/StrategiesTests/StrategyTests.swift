import MemAlloc
import Platform
import Strategies
import Testing

/// One allocator wrapped for strategy `S`, owned by a pretend allocator map.
struct Harness<S: LifetimeStrategy> {
    let lifetime: AllocatorLifetime
    init(cpus: Int = 2, objectSize: Int = 64) throws {
        let topology = Topology.synthetic(cpus: cpus, nodes: 1)
        let allocator = try MemAllocator(topology: topology, path: S.allocatorPath(objectSize: objectSize))
        lifetime = AllocatorLifetime.make(allocator: allocator, cpuIDLimit: topology.cpuIDLimit, keepsTombstone: false,
                                          withPercpuRef: S.usesPercpuRef, observer: nil)
        lifetime.acquireOwner()
    }
}

@Suite(.tags(.memory)) struct StrategyTests {
    @Test func kindsVisitTheirTypes() throws {
        struct Name: StrategyVisitor { func visit<S: LifetimeStrategy>(_: S.Type) -> String { S.name } }
        for kind in StrategyKind.allCases { #expect(try kind.accept(Name()) == kind.rawValue) }
        // Every design says why nothing is allocated after its kill.
        for kind in StrategyKind.allCases { #expect(!kind.whyNoAllocationAfterKill.isEmpty) }
    }

    @Test func atomicDestroysAtTheLastFreeAfterTheKill() throws {
        let h = try Harness<AtomicStrategy>()
        let a = try #require(AtomicStrategy.allocate(from: h.lifetime, size: 64, cpu: 0))
        let b = try #require(AtomicStrategy.allocate(from: h.lifetime, size: 64, cpu: 1))
        #expect(h.lifetime.objectRefs.load(ordering: .relaxed) == 3)
        let report = try #require(h.lifetime.releaseOwner(AtomicStrategy.self))
        #expect(!report.destroyedAllocator)
        AtomicStrategy.free(a, cpu: 1)
        #expect(!h.lifetime.isDestroyed)
        AtomicStrategy.free(b, cpu: 0)
        #expect(h.lifetime.destroyCount == 1)
        #expect(h.lifetime.destroyReport?.isClean == true)
        h.lifetime.deallocate()
    }

    @Test(arguments: [false, true])
    func percpuRefCountsExactlyAndDestroysOnce(hybrid: Bool) throws {
        func run<S: LifetimeStrategy>(_: S.Type) throws {
            let h = try Harness<S>()
            var objects: [UnsafeMutableRawPointer] = []
            for i in 0..<300 { objects.append(try #require(S.allocate(from: h.lifetime, size: 24, cpu: i % 2))) }
            for o in objects.prefix(100) { S.free(o, cpu: 1) }
            #expect(h.lifetime.percpuRef.quiescentCount == 201)
            let report = try #require(h.lifetime.releaseOwner(S.self))
            #expect(report.gracePeriodNanoseconds != nil)
            #expect(h.lifetime.percpuRef.sharedCount == 200)
            #expect(!h.lifetime.isDestroyed)
            for o in objects.dropFirst(100) { S.free(o, cpu: 0) }
            #expect(h.lifetime.destroyCount == 1)
            #expect(h.lifetime.percpuRef.releaseCount == 1)
            #expect(h.lifetime.destroyReport?.isClean == true)
            h.lifetime.deallocate()
        }
        if hybrid { try run(HybridStrategy.self) } else { try run(PercpuRefStrategy.self) }
    }

    @Test func percpuRefKillWithNothingLiveDestroysAtOnce() throws {
        let h = try Harness<PercpuRefStrategy>()
        let o = try #require(PercpuRefStrategy.allocate(from: h.lifetime, size: 8, cpu: 0))
        PercpuRefStrategy.free(o, cpu: 1)
        let report = try #require(h.lifetime.releaseOwner(PercpuRefStrategy.self))
        #expect(report.destroyedAllocator)
        #expect(h.lifetime.destroyCount == 1)
        h.lifetime.deallocate()
    }

    @Test func lazyDestroysWhenTheLastOwnerGoesEvenWithLiveObjects() throws {
        let h = try Harness<LazyStrategy>()
        _ = try #require(LazyStrategy.allocate(from: h.lifetime, size: 64, cpu: 0))
        h.lifetime.acquireOwner()  // a used_allocators entry
        #expect(h.lifetime.releaseOwner(LazyStrategy.self) == nil)
        #expect(!h.lifetime.isDestroyed)
        let report = try #require(h.lifetime.releaseOwner(LazyStrategy.self))
        #expect(report.destroyedAllocator)
        #expect(h.lifetime.destroyReport?.leakedObjects == 1)  // the hole: an object outlived it
        h.lifetime.deallocate()
    }

    @Test func kmemCacheUsesTheFixedSizePath() throws {
        let h = try Harness<KmemCacheStrategy>(objectSize: 48)
        #expect(h.lifetime.allocator.path == .fixedSize(48))
        #expect(KmemCacheStrategy.allocate(from: h.lifetime, size: 49, cpu: 0) == nil)
        let o = try #require(KmemCacheStrategy.allocate(from: h.lifetime, size: 48, cpu: 0))
        KmemCacheStrategy.free(o, cpu: 0)
        h.lifetime.releaseOwner(KmemCacheStrategy.self)
        #expect(h.lifetime.destroyReport?.isClean == true)
        h.lifetime.deallocate()
    }

    @Test func secondDestroyIsRefused() throws {
        let h = try Harness<GlobalStrategy>()
        h.lifetime.destroyAllocator()
        h.lifetime.destroyAllocator()
        #expect(h.lifetime.destroyCount == 2)  // counted, but the allocator was destroyed once
        h.lifetime.deallocate()
    }
}
