import MemAlloc
import Platform
import Strategies
import Testing

/// What owning an allocator costs per design, against figures computed by hand.
@Suite(.tags(.memory)) struct OwnershipCostTests {
    static let sizes = KernelStructSizes(memCache: 224, memAlloc: 80, percpuRefData: 56, source: "test")
    static let topology = Topology.synthetic(cpus: 4, nodes: 2)
    /// Prefill on 4 CPUs: 4 × (4 × 784 + 7680) B on the lists; 4 × 11 caches × 224 B + 80.
    static let prefillLists = 43_264
    static let prefillKernel = 43_264 + 9_856 + 80

    func cost(_ kind: StrategyKind) throws -> OwnershipCost {
        try kind.accept(OwnershipVisitor(topology: Self.topology, sizes: Self.sizes))
    }

    @Test func perProgramDesignsPayThePrefillOnEveryCPU() throws {
        for kind in [StrategyKind.atomic, .percpuRef, .lazy, .hybrid] {
            let c = try cost(kind)
            #expect(c.atInit.lists == Self.prefillLists, "\(kind)")
            #expect(c.atInit.kernel == Self.prefillKernel + c.lifetime.kernel, "\(kind)")
            #expect(c.initNanoseconds > 0)
        }
        // percpu_ref: 8 B per possible CPU + percpu_ref_data; atomic: one 8 B count.
        #expect(try cost(.percpuRef).lifetime.kernel == 4 * 8 + 56)
        #expect(try cost(.atomic).lifetime.kernel == 8)
        #expect(try cost(.hybrid).lifetime.kernel == 4 * 8 + 56 + 8)
    }

    @Test func kmemCacheHoldsOneClass() throws {
        // One cache per CPU of a 72 B unit (kmalloc-96), 4 objects each.
        let c = try cost(.kmemCache)
        #expect(c.atInit.lists == 4 * 4 * 72)
        #expect(c.atInit.kernel == 4 * 4 * 96 + 4 * 224 + 80 + 8)
    }

    @Test func onePinnedObjectHoldsTheWholeAllocator() throws {
        for kind in [StrategyKind.atomic, .percpuRef, .lazy, .hybrid] {
            let c = try cost(kind)
            // After the first allocation CPU 0's 96 B list holds 4 − 1 + 48 = 51.
            #expect(c.pinned.lists == Self.prefillLists + 47 * 96, "\(kind)")
            #expect(c.pinned.kernel == c.pinned.lists + 9_856 + 80 + c.lifetime.kernel, "\(kind)")
            #expect(c.bytesReturned == c.slabBytesBeforeDestroy && c.bytesReturned > 0, "\(kind): destroy returns every byte")
        }
    }

    @Test func globalCostsAProgramNothing() throws {
        let c = try cost(.global)
        #expect(c.initNanoseconds == 0 && c.atInit == .zero && c.pinned == .zero)
        #expect(c.boot?.bytes.lists == Self.prefillLists)
        let many = try StrategyKind.global.accept(ManyAllocatorsVisitor(topology: Self.topology, count: 10, sizes: Self.sizes))
        #expect(many.bytes == .zero)
    }

    @Test func manyAllocatorsCostNTimesOne() throws {
        let many = try StrategyKind.percpuRef.accept(ManyAllocatorsVisitor(topology: Self.topology, count: 10, sizes: Self.sizes))
        #expect(many.bytes.kernel == 10 * (Self.prefillKernel + 4 * 8 + 56))
        #expect(many.bytes.lists == 10 * Self.prefillLists)
    }

    @Test(arguments: SteadyStateTraffic.allCases)
    func steadyStateStaysWithinTheWatermarks(traffic: SteadyStateTraffic) throws {
        let a = try MemAllocator(topology: Self.topology)
        let f = traffic.run(on: a, topology: Self.topology, size: 64)
        let high = a.cacheParameters.map(\.highWatermark)
        for cpu in 0..<4 {
            for (cls, n) in f.listObjectsPerCPU[cpu].enumerated() { #expect(n <= high[cls], "\(traffic) CPU \(cpu) class \(cls)") }
        }
        #expect(f.listBytes > Self.prefillLists, "\(traffic): traffic leaves more than the prefill on the lists")
        #expect(a.stats().outstanding == 0)
        #expect(a.destroy().isClean)
    }
}
