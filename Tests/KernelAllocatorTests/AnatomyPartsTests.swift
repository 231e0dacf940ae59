import Testing
@testable import KernelAllocator

/// The arithmetic of the anatomy's parts and of the irq_work's outside cost, from crafted sums.
struct AnatomyPartsTests {
    /// 1000 plain pairs of 100 ns; 20 pairs an irq_work entered, 7000 ns each, of which 5000
    /// inside the handler and 500 in an RCU softirq: 7000 − 5500 − 100 = 1400 ns outside each.
    @Test func outsideCostIsWhatTheHandlersDoNotExplain() throws {
        let t = AnatomyTiming(plainOps: 1000, plainNs: 100_000, irqOps: 20, irqNs: 140_000, irqEntries: 20, irqHandlerNs: 100_000,
                              irqSoftirqNs: 10_000, softirqOps: 3, failed: 0)
        #expect(try #require(t.outsideNsPerIrqWork) == 1400)
        #expect(t.handlerNsPerIrqWork == 5000)
        #expect(AnatomyTiming().outsideNsPerIrqWork == nil)
    }

    /// A block's parts: irq_works per op × the outside cost per irq_work; the rest is what is
    /// left of the pair, so the parts and the rest add up to the pair.
    @Test func partsAndRestAddUpToThePair() throws {
        var counts = AnatomyCounts()
        counts.irqWork = 21; counts.irqWorkNs = 21 * 5000; counts.rcuSoftirqNs = 15_000
        let timing = AnatomyTiming(plainOps: 1000, plainNs: 100_000, irqOps: 20, irqNs: 140_000, irqEntries: 20, irqHandlerNs: 100_000,
                                   irqSoftirqNs: 10_000, softirqOps: 0, failed: 0)
        let block = AnatomyBlock(untracedNsPerOp: 430, tracedNsPerOp: 470, tracedOps: 1000, counts: counts, timing: timing)
        let p = AnatomyParts(block, harnessNs: 20)
        #expect(p.irqWorkInside == 105)
        #expect(try #require(p.irqWorkOutside) == 1400 * 21 / 1000)
        #expect(p.rcuSoftirq == 15)
        #expect(abs(p.harness + p.irqWorkInside + p.irqWorkOutside! + p.rcuSoftirq + p.rest - p.pair) < 1e-9)
        #expect(p.rest == 430 - 20 - 105 - 29.4 - 15)
    }
}
