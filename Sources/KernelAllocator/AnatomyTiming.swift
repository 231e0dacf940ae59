/// What `timed_pair` summed on one CPU (anatomy.bpf.c's `struct mb_anatomy_timing`): each
/// bpf_obj_new + bpf_obj_drop timed alone in the kernel, the pairs an irq_work entered apart
/// from those nothing entered.
public struct AnatomyTiming: Sendable, Equatable {
    public var plainOps: UInt64 = 0, plainNs: UInt64 = 0
    public var irqOps: UInt64 = 0, irqNs: UInt64 = 0, irqEntries: UInt64 = 0, irqHandlerNs: UInt64 = 0, irqSoftirqNs: UInt64 = 0
    /// Pairs only an RCU softirq entered (left out of both sums).
    public var softirqOps: UInt64 = 0
    public var failed: UInt64 = 0

    public init() {}

    public init(plainOps: UInt64, plainNs: UInt64, irqOps: UInt64, irqNs: UInt64, irqEntries: UInt64, irqHandlerNs: UInt64,
                irqSoftirqNs: UInt64, softirqOps: UInt64, failed: UInt64) {
        self.plainOps = plainOps; self.plainNs = plainNs; self.irqOps = irqOps; self.irqNs = irqNs; self.irqEntries = irqEntries
        self.irqHandlerNs = irqHandlerNs; self.irqSoftirqNs = irqSoftirqNs; self.softirqOps = softirqOps; self.failed = failed
    }

    /// The mean timed pair nothing entered (includes the clock's two reads).
    public var plainNsPerOp: Double? { plainOps > 0 ? Double(plainNs) / Double(plainOps) : nil }

    /// Per irq_work, the time it cost outside its handler: raising the self-IPI, entering and
    /// returning from the interrupt (and the two probes' own runs). The pairs it entered, less
    /// their time inside handlers and RCU softirqs, less as many plain pairs, over the irq_works.
    public var outsideNsPerIrqWork: Double? {
        guard let plain = plainNsPerOp, irqEntries > 0 else { return nil }
        let inside = Double(irqHandlerNs) + Double(irqSoftirqNs)
        return (Double(irqNs) - inside - Double(irqOps) * plain) / Double(irqEntries)
    }

    /// The time inside one irq_work's handler, as these pairs saw it.
    public var handlerNsPerIrqWork: Double? { irqEntries > 0 ? Double(irqHandlerNs) / Double(irqEntries) : nil }

    public static func - (a: AnatomyTiming, b: AnatomyTiming) -> AnatomyTiming {
        AnatomyTiming(plainOps: a.plainOps &- b.plainOps, plainNs: a.plainNs &- b.plainNs, irqOps: a.irqOps &- b.irqOps,
                      irqNs: a.irqNs &- b.irqNs, irqEntries: a.irqEntries &- b.irqEntries, irqHandlerNs: a.irqHandlerNs &- b.irqHandlerNs,
                      irqSoftirqNs: a.irqSoftirqNs &- b.irqSoftirqNs, softirqOps: a.softirqOps &- b.softirqOps, failed: a.failed &- b.failed)
    }
}
