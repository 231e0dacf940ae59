import CLibbpf
import Foundation
import Glibc

/// What one CPU's anatomy probes counted (anatomy.bpf.c's `struct mb_anatomy`).
public struct AnatomyCounts: Sendable, Equatable {
    public var kmallocUnit: UInt64 = 0, kmallocAll: UInt64 = 0, kfreeAll: UInt64 = 0, pages: UInt64 = 0
    public var irqWork: UInt64 = 0, irqWorkNs: UInt64 = 0, rcuSoftirq: UInt64 = 0, rcuSoftirqNs: UInt64 = 0

    public init() {}

    /// Events the probes fired for (each costs the probe's own time).
    public var events: UInt64 { kmallocAll + kfreeAll + pages + 2 * irqWork + 2 * rcuSoftirq }

    public static func - (a: AnatomyCounts, b: AnatomyCounts) -> AnatomyCounts {
        var d = AnatomyCounts()
        d.kmallocUnit = a.kmallocUnit &- b.kmallocUnit; d.kmallocAll = a.kmallocAll &- b.kmallocAll
        d.kfreeAll = a.kfreeAll &- b.kfreeAll; d.pages = a.pages &- b.pages
        d.irqWork = a.irqWork &- b.irqWork; d.irqWorkNs = a.irqWorkNs &- b.irqWorkNs
        d.rcuSoftirq = a.rcuSoftirq &- b.rcuSoftirq; d.rcuSoftirqNs = a.rcuSoftirqNs &- b.rcuSoftirqNs
        return d
    }
}

/// The anatomy phase's probes: raw tracepoints (no tracefs mount, no kprobes, which this kernel
/// lacks), loaded once and attached only while counting. Each probe that cannot attach is
/// named with its reason; the rest still count.
public final class AnatomyProbes: @unchecked Sendable {
    /// The programs (each names the tracepoint it sits on).
    public static let probes = AnatomyProgram.probes
    /// The probes `timed_pair` reads: each irq_work's and RCU softirq's entry and exit.
    public static let interruptProbes: [AnatomyProgram] = [.onIrqWorkEntry, .onIrqWorkExit, .onSoftirqEntry, .onSoftirqExit]
    static let stride = 128

    let object: BPFObject
    let offset: Int
    let timingOffset: Int
    private var links: [OpaquePointer] = []
    /// Tracepoint → why it did not attach (filled by `attach`).
    public private(set) var unavailable: [String: String] = [:]

    /// Loads `loading` of anatomy.bpf.c's probes (tests leave one out) and `timed_pair` for
    /// objects of `objectSize` bytes, and tells the kmalloc probe the objects' kmalloc size.
    public init(build: BPFBuild, objectSize: Int = 64, loading: [AnatomyProgram] = AnatomyProbes.probes) throws(KernelUnavailable) {
        let unitBytes = KernelAnatomy.kmallocBytes(objectSize: objectSize)
        object = try BPFObject(.anatomy, objectSize: objectSize, build: build, autoload: Set((loading + [.timedPair]).map(\.id)))
        guard let at = object.bssOffset(of: AnatomyGlobal.anatomy), let timing = object.bssOffset(of: AnatomyGlobal.timing) else {
            throw KernelUnavailable(reason: "anatomy counters missing", note: object.path)
        }
        offset = at
        timingOffset = timing
        var key: UInt32 = 0, value = UInt64(unitBytes)
        guard bpf_map_update_elem(object.mapFD(AnatomyMap.anatomyConfig), &key, &value, UInt64(BPF_ANY)) == 0 else {
            throw KernelUnavailable(reason: "anatomy config not writable", note: String(cString: strerror(errno)))
        }
    }

    /// Attaches every probe it can; returns how many.
    @discardableResult
    public func attach(_ probes: [AnatomyProgram] = AnatomyProbes.probes) -> Int {
        unavailable = [:]
        for program in probes {
            switch object.attach(program) {
            case .success(let link): links.append(link)
            case .failure(let f): unavailable[program.tracepoint] = f.reason
            }
        }
        return links.count
    }

    /// Detaches every probe (idempotent).
    public func detach() {
        for l in links { BPFObject.detach(l) }
        links = []
    }

    public var attached: Bool { !links.isEmpty }

    /// CPU `cpu`'s counts so far.
    public func read(cpu: Int) -> AnatomyCounts {
        let start = offset + cpu * Self.stride
        guard let bss = object.bss, cpu >= 0, cpu < ProvenanceCounters.maxCPUs, start + Self.stride <= object.bssSize else { return AnatomyCounts() }
        let b = bss + start
        func u(_ i: Int) -> UInt64 { b.load(fromByteOffset: i * 8, as: UInt64.self) }
        var c = AnatomyCounts()
        c.kmallocUnit = u(0); c.kmallocAll = u(1); c.kfreeAll = u(2); c.pages = u(3)
        c.irqWork = u(4); c.irqWorkNs = u(5); c.rcuSoftirq = u(6); c.rcuSoftirqNs = u(7)
        return c
    }

    /// CPU `cpu`'s `timed_pair` sums so far.
    public func readTiming(cpu: Int) -> AnatomyTiming {
        let start = timingOffset + cpu * Self.stride
        guard let bss = object.bss, cpu >= 0, cpu < ProvenanceCounters.maxCPUs, start + Self.stride <= object.bssSize else { return AnatomyTiming() }
        let b = bss + start
        func u(_ i: Int) -> UInt64 { b.load(fromByteOffset: i * 8, as: UInt64.self) }
        return AnatomyTiming(plainOps: u(0), plainNs: u(1), irqOps: u(2), irqNs: u(3), irqEntries: u(4), irqHandlerNs: u(5),
                             irqSoftirqNs: u(6), softirqOps: u(7), failed: u(8))
    }

    /// `timed_pair`, run with BPF_PROG_TEST_RUN on the calling thread's CPU.
    var timedPair: TestRunProgram { object.testRun(AnatomyProgram.timedPair) }

    public func close() {
        detach()
        object.close()
    }

    deinit { detach() }
}
