import Platform
import Testing
@testable import MemAlloc

/// The footprint of one allocator, checked against figures computed by hand from memalloc.c's
/// rules (prefill 4 objects per cache up to 256 B units, 1 above; 11 classes; per CPU).
@Suite(.tags(.memory)) struct FootprintTests {
    static let sizes = KernelStructSizes(memCache: 224, memAlloc: 80, percpuRefData: 56, source: "test")

    @Test func freshAllocatorHoldsThePrefillOnEveryCPU() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 4, nodes: 2))
        let f = a.footprint()
        // Per CPU: 4 × (16+32+64+96+128+192+256) + 1 × (512+1024+2048+4096) = 3136 + 7680.
        #expect(f.listBytes == 4 * 10_816)
        #expect(f.listObjects == 4 * (7 * 4 + 4))
        // Every unit is a kmalloc size already: kernel = lists + 4 CPUs × 11 × 224 + 80.
        #expect(f.kernelBytes(Self.sizes) == 43_264 + 9_856 + 80)
        #expect(f.kernelBytes(cpu: 3, Self.sizes) == 10_816 + 11 * 224)
        #expect(f.listBytes(cpu: 2, classIndex: 10) == 4096)
        // The model reserves one slab (64 KiB) per (CPU, class): 44 slabs.
        #expect(f.classes.reduce(0) { $0 + $1.slabBytes } == 44 * 65_536)
        #expect(f.outstanding == 0)
        a.destroy()
    }

    @Test func fixedSizePathHoldsOneClass() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 2, nodes: 1), path: .fixedSize(100))
        let f = a.footprint()
        // unit (100 + 8) rounded to 8 = 112 B, kmalloc-128; 4 objects per CPU.
        #expect(f.classes.count == 1)
        #expect(f.listBytes == 2 * 4 * 112)
        #expect(f.kernelBytes(Self.sizes) == 2 * 4 * 128 + 2 * 224 + 80)
        a.destroy()
    }

    @Test func onePinnedObjectHoldsExactlyWhatTheListsHold() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 4, nodes: 2))
        let p = try #require(a.allocate(size: 64, cpu: 0))
        let f = a.footprint()
        // A 64 B request + 8 B header is a 72 B unit: the 96 B class. CPU 0: 4 − 1 = 3 < low 32, so
        // one batch of 48 came in: 51 on its list.
        #expect(f.listObjectsPerCPU[0][SizeClass.index(forRequest: 64)!] == 51)
        #expect(f.listBytes == 43_264 + 47 * 96)
        let st = a.stats()
        #expect(f.listBytes == st.classes.reduce(0) { $0 + $1.cachedObjects * $1.unitSize })
        #expect(f.outstanding == 1)
        a.free(p, cpu: 0)
        a.destroy()
    }

    @Test func destroyReturnsEveryByte() throws {
        let a = try MemAllocator(topology: .synthetic(cpus: 4, nodes: 2), keepTombstone: true)
        var live: [UnsafeMutableRawPointer] = []
        for cpu in 0..<4 { for size in [8, 100, 300, 4000] { live.append(a.allocate(size: size, cpu: cpu)!) } }
        for (i, p) in live.enumerated() { a.free(p, cpu: (i + 1) % 4) }
        let held = a.footprint().modelBytes - a.footprint().bookkeepingBytes
        let report = a.destroy()
        #expect(report.isClean)
        #expect(report.bytesReturned == held)
        let after = a.footprint()
        #expect(after.modelBytes == after.bookkeepingBytes)
        #expect(after.listObjects == 0)
        a.releaseTombstone()
    }

    @Test func kmallocSizes() {
        #expect(KmallocSize.of(1) == 8)
        #expect(KmallocSize.of(72) == 96)
        #expect(KmallocSize.of(136) == 192)
        #expect(KmallocSize.of(4096) == 4096)
        #expect(KmallocSize.of(5000) == 8192)
        #expect(KmallocSize.of(9000) == 12_288)
    }
}
