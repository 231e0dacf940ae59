/// One block's pair split into what was measured of it, ns per pair: the harness, time inside
/// irq_work handlers, irq_work's time outside them (raise, entry, return), time inside the RCU
/// softirq, and the rest, which is the pair less all of them. The parts sum to the pair by
/// construction; `rest` is the unexplained share, stated, never hidden.
public struct AnatomyParts: Sendable, Equatable {
    public let pair: Double
    public let harness: Double
    public let irqWorkInside: Double
    /// nil when the block had no timed loop (kernel-htab: no irq_work to raise).
    public let irqWorkOutside: Double?
    public let rcuSoftirq: Double

    public init(pair: Double, harness: Double, irqWorkInside: Double, irqWorkOutside: Double?, rcuSoftirq: Double) {
        self.pair = pair
        self.harness = harness
        self.irqWorkInside = irqWorkInside
        self.irqWorkOutside = irqWorkOutside
        self.rcuSoftirq = rcuSoftirq
    }

    /// `block`'s parts: its untraced pair, the harness's empty step, its traced loop's irq_work
    /// and RCU time per op, and irq_works per op × the timed loop's outside cost per irq_work.
    public init(_ block: AnatomyBlock, harnessNs: Double) {
        let outside = block.timing?.outsideNsPerIrqWork.map { $0 * Double(block.counts.irqWork) / Double(max(block.tracedOps, 1)) }
        self.init(pair: block.untracedNsPerOp, harness: harnessNs, irqWorkInside: block.irqWorkNsPerOp,
                  irqWorkOutside: block.counts.irqWork == 0 ? 0 : outside, rcuSoftirq: block.rcuSoftirqNsPerOp)
    }

    public var rest: Double { pair - harness - irqWorkInside - (irqWorkOutside ?? 0) - rcuSoftirq }

    /// The measured parts and the rest, in table order.
    public var all: [(part: String, ns: Double?)] {
        [("harness", harness), ("irq_work inside", irqWorkInside), ("irq_work outside", irqWorkOutside),
         ("RCU softirq", rcuSoftirq), ("rest", rest)]
    }
}
