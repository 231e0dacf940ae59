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
        let probes = try AnatomyProbes(build: KernelTestSupport.build)
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
        let probes = try AnatomyProbes(build: KernelTestSupport.build, loading: loaded)
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

    /// `timed_pair` tells the pairs an irq_work entered from the rest: about one in 48 (one
    /// refill per 48 objects), each with one irq_work, and the interrupt costs time outside its
    /// handler. A classification that saw no irq_work (say, counters read before the op only)
    /// or put every pair in one class fails this.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func theTimedPairTellsIrqWorkPairsApart() throws {
        let probes = try AnatomyProbes(build: KernelTestSupport.build)
        defer { probes.close() }
        let t = try KernelAnatomy.timed(probes: probes, cpu: 0, durationNs: 50_000_000)
        #expect(!probes.attached)
        let ops = t.plainOps + t.irqOps + t.softirqOps
        #expect(ops > 10_000)
        #expect(Double(t.irqEntries) * 1000 / Double(ops) >= 18, "\(t)")
        #expect(t.irqEntries >= t.irqOps && t.irqEntries <= t.irqOps + t.irqOps / 10 + 2, "\(t)")
        let outside = try #require(t.outsideNsPerIrqWork, "\(t)")
        #expect(outside > 0, "\(t)")
        #expect(try #require(t.handlerNsPerIrqWork) > outside / 100)
    }

    /// On the real kernel every measured part is there and positive, and the parts with the
    /// rest they state sum to the pair. No upper bound here: suites running beside this one
    /// raise their own irq_works on the same CPU between our runs, and the traced loop counts
    /// them; the arithmetic is held exactly by AnatomyPartsTests.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func theMeasuredPartsFitInsideThePair() throws {
        let probes = try AnatomyProbes(build: KernelTestSupport.build)
        defer { probes.close() }
        let blocks = try KernelAnatomy.blocks(.kernel, probes: probes, cpu: 0, size: 64, blocks: 2, durationNs: 40_000_000,
                                              build: KernelTestSupport.build, stop: { false })
        let harness = try #require(KernelAnatomy.lengthCurve(.kernelHarness, cpu: 0, size: 64, lengthsNs: [20_000_000],
                                                             build: KernelTestSupport.build, stop: { false }).first?.nsPerOp)
        for b in blocks {
            let p = AnatomyParts(b, harnessNs: harness)
            #expect(p.harness > 0 && p.irqWorkInside > 0 && (p.irqWorkOutside ?? -1) > 0 && p.rcuSoftirq >= 0, "\(p)")
            let explained = p.harness + p.irqWorkInside + (p.irqWorkOutside ?? 0) + p.rcuSoftirq
            #expect(explained > 0 && p.pair > 0, "\(p)")
            #expect(abs(explained + p.rest - p.pair) < 1e-6)
        }
    }

    /// A stop between blocks (what SIGINT sets) ends the loop with every probe detached: the
    /// probes count nothing afterwards.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func aStopLeavesNothingAttached() throws {
        let probes = try AnatomyProbes(build: KernelTestSupport.build)
        defer { probes.close() }
        var checks = 0
        let blocks = try KernelAnatomy.blocks(.kernel, probes: probes, cpu: 0, size: 64, blocks: 5, durationNs: 10_000_000,
                                              build: KernelTestSupport.build, stop: { checks += 1; return checks > 1 })
        #expect(blocks.count == 1)
        #expect(!probes.attached)
        let before = probes.read(cpu: 0)
        let c = try KernelCase(spec: KernelCaseSpec(subject: .kernel, workload: .pair, cpus: [0], size: 64), build: KernelTestSupport.build)
        defer { c.close() }
        _ = try KernelAnatomy.loop(c, cpu: 0, durationNs: 10_000_000)
        #expect(probes.read(cpu: 0) == before)
    }

    /// bpf_timer_init on a map no user holds allocates and frees (every call -EPERM, checked
    /// inside `measure`), and that costs more than the armed timer's -EBUSY.
    @Test(.enabled(if: !KernelTestSupport.skip))
    func kmallocNolockCostsMoreThanTheBusyTimer() throws {
        let k = try KmallocNolockCost.measure(cpu: 0, blocks: 2, rounds: 4, build: KernelTestSupport.build)
        #expect(k.addedNs.count == 2)
        for (added, armed) in zip(k.addedNs, k.armedNs) { #expect(added > 0 && armed > 0, "\(k)") }
    }

    @Test func kmallocSizeOfAnObject() {
        #expect(KernelAnatomy.kmallocBytes(objectSize: 64) == 96)   // 72 B with the llist header
        #expect(KernelAnatomy.kmallocBytes(objectSize: 8) == 16)
        #expect(KernelAnatomy.kmallocBytes(objectSize: 4088) == 4096)
    }
}
