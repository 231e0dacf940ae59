import Foundation
import Testing
@testable import KernelAllocator

/// The anatomy's probes count what the allocator does, exactly, and only while attached.
@Suite(.serialized)
struct KernelAnatomyTests {
    /// bpf_global_ma refills 48 objects per irq_work (1000/48 ≈ 20.8 per 1000 pairs) and frees
    /// through RCU; a no-prealloc hash map's cache reuses its elements at once: no irq_work and
    /// no kmalloc of the objects' size in steady state. A probe that counted anything else
    /// (another CPU, all interrupts) or nothing would fail this.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func theCountsTellDeferralFromImmediateReuse() throws {
        let probes = try AnatomyProbes(build: KernelTestSupport.build, unitBytes: KernelAnatomy.kmallocBytes(objectSize: 64))
        defer { probes.close() }
        let kernel = try KernelAnatomy.blocks(.kernel, probes: probes, cpu: 0, size: 64, blocks: 2, durationNs: 50_000_000,
                                              build: KernelTestSupport.build, stop: { false })
        let htab = try KernelAnatomy.blocks(.kernelHtab, probes: probes, cpu: 0, size: 64, blocks: 2, durationNs: 50_000_000,
                                            build: KernelTestSupport.build, stop: { false })
        try #require(probes.unavailable["irq_vectors:irq_work_entry"] == nil, "irq_work probe: \(probes.unavailable)")
        // The probes count per CPU: other suites running BPF programs on CPU 0 in parallel add
        // their own events, so htab is held to a small share of kernel's, not to zero.
        for b in kernel { #expect(b.perThousand(b.counts.irqWork) >= 18, "\(b.counts) over \(b.tracedOps)") }
        let kernelIrq = kernel.map { $0.perThousand($0.counts.irqWork) }.min() ?? 0
        for b in htab {
            #expect(b.perThousand(b.counts.irqWork) < kernelIrq / 4, "\(b.counts) over \(b.tracedOps)")
        }
    }

    /// A probe that cannot attach (here: one left unloaded) is named with its reason and the
    /// others still count; after detach nothing counts any more.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func aMissingProbeIsNotApplicableAndDetachStopsCounting() throws {
        let loaded = AnatomyProbes.probes.filter { $0 != .onSoftirqExit }
        let probes = try AnatomyProbes(build: KernelTestSupport.build, unitBytes: 96, loading: loaded)
        defer { probes.close() }
        let attached = probes.attach()
        #expect(attached == loaded.count)
        #expect(probes.unavailable.keys.sorted() == [AnatomyProgram.onSoftirqExit.tracepoint])
        probes.detach()
        #expect(!probes.attached)
        let c = try KernelCase(spec: KernelCaseSpec(subject: .kernel, workload: .pair, cpus: [0], size: 64), build: KernelTestSupport.build)
        defer { c.close() }
        let before = probes.read(cpu: 0)
        _ = try KernelAnatomy.loop(c, cpu: 0, durationNs: 20_000_000)
        #expect(probes.read(cpu: 0) == before)
    }

    @Test func kmallocSizeOfAnObject() {
        #expect(KernelAnatomy.kmallocBytes(objectSize: 64) == 96)   // 72 B with the llist header
        #expect(KernelAnatomy.kmallocBytes(objectSize: 8) == 16)
        #expect(KernelAnatomy.kmallocBytes(objectSize: 4088) == 4096)
    }
}
