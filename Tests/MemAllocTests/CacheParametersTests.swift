import Testing
@testable import MemAlloc

@Suite(.tags(.memory)) struct CacheParametersTests {
    // kernel/bpf/memalloc.c, init_refill_work and prefill_mem_cache: ≤256 → 32/96/48, prefill 4; 512: 16/48/24; 1024: 8/24/12;
    // 2048: 4/12/6; 4096: 2/6/3; prefill 1 above 256.
    @Test(arguments: [
        (16, 32, 96, 48, 4), (32, 32, 96, 48, 4), (64, 32, 96, 48, 4), (96, 32, 96, 48, 4), (128, 32, 96, 48, 4),
        (192, 32, 96, 48, 4), (256, 32, 96, 48, 4), (512, 16, 48, 24, 1), (1024, 8, 24, 12, 1), (2048, 4, 12, 6, 1),
        (4096, 2, 6, 3, 1),
    ])
    func everyClass(unit: Int, low: Int, high: Int, batch: Int, prefill: Int) {
        let p = CacheParameters(unitSize: unit)
        #expect(p.lowWatermark == low)
        #expect(p.highWatermark == high)
        #expect(p.batch == batch)
        #expect(p.prefill == prefill)
    }

    @Test func fixedSizeUnitsUseTheLargerClassFormula() {
        // 300 B unit: low = 8192/300 = 27, high = 24576/300 = 81, batch = (54/4)·3 = 39.
        let p = CacheParameters(unitSize: 300)
        #expect((p.lowWatermark, p.highWatermark, p.batch, p.prefill) == (27, 81, 39, 1))
        // Very large units clamp at 1/3/1.
        let q = CacheParameters(unitSize: 100_000)
        #expect((q.lowWatermark, q.highWatermark, q.batch) == (1, 3, 1))
    }

    @Test func allocatorReportsTheKernelTable() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1))
        defer { a.destroy() }
        #expect(a.cacheParameters.map(\.unitSize) == SizeClass.unitSizes)
        #expect(a.cacheParameters.map(\.batch) == [48, 48, 48, 48, 48, 48, 48, 24, 12, 6, 3])
    }
}
