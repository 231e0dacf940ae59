import Glibc

/// Per-CPU counts of the interrupts bpf_mem_alloc causes: irq_work interrupts (`IWI` in
/// /proc/interrupts: every refill, trim and RCU hand-off of a cache runs as irq_work raised by a
/// self-IPI) and RCU softirqs (grace-period processing, /proc/softirqs).
public struct InterruptCounts: Sendable, Equatable {
    public var irqWork: Int
    public var rcuSoftirq: Int

    /// The counts of `cpu` now; nil when the files are unreadable or lack the rows.
    public static func read(cpu: Int) -> InterruptCounts? {
        guard let iwi = row("/proc/interrupts", "IWI:", cpu), let rcu = row("/proc/softirqs", "RCU:", cpu) else { return nil }
        return InterruptCounts(irqWork: iwi, rcuSoftirq: rcu)
    }

    public static func - (a: InterruptCounts, b: InterruptCounts) -> InterruptCounts {
        InterruptCounts(irqWork: a.irqWork - b.irqWork, rcuSoftirq: a.rcuSoftirq - b.rcuSoftirq)
    }

    /// Column `cpu` of the row starting with `label` (after leading spaces).
    static func row(_ path: String, _ label: String, _ cpu: Int) -> Int? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, file) > 0, let buffer {
            let fields = String(cString: buffer).split(separator: " ", omittingEmptySubsequences: true)
            if fields.first == Substring(label), fields.count > cpu + 1 { return Int(fields[cpu + 1]) }
        }
        return nil
    }
}
