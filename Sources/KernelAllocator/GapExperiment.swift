import CLibbpf
import Foundation
import Platform

/// Why a kernel new+drop costs ~100× the model's: the experiment behind the report's finding.
///
/// `bpf_obj_drop` frees through `bpf_mem_free_rcu` (helpers.c `__bpf_obj_drop_impl`): the
/// object goes on the CPU's `free_by_rcu` list and becomes reusable only after a normal RCU
/// grace period (`call_rcu_hurry` → `__free_by_rcu` → `free_by_rcu_ttrace`, which `alloc_bulk`
/// takes from first), and is returned to slab after a further RCU tasks-trace grace period.
/// BPF_PROG_TEST_RUN holds `rcu_read_lock()` for the whole run of a tc program
/// (net/bpf/test_run.c `bpf_test_timer_enter`), so inside one run no grace period can end:
/// every allocation past the per-CPU cache's watermarks refills from kmalloc in irq_work.
///
/// Hypothesis A (deferred reuse dominates): cost per pair grows with the run's length and
/// falls when grace periods can end during the loop (a syscall program holds only
/// `rcu_read_lock_trace()`), and slab usage grows by about one object per pair inside a run.
/// Hypothesis B (BPF call overhead dominates): cost per pair is flat in run length and equal
/// for both program types, and slab usage does not grow.
public enum GapExperiment {
    public struct Configuration: Sendable {
        public var label: String
        public var program: Runner.Kind
        public var opsPerRun: Int
    }

    public struct Measurement: Sendable {
        public var configuration: Configuration
        public var ops: Int
        public var nsPerOp: Double
        /// kmalloc-cg cache growth (objects) right after one run, nil when unreadable.
        public var slabGrowthAfterOneRun: Int?
        /// irq_work interrupts and RCU softirqs on the CPU per operation, over the timed runs.
        public var irqWorkPerOp: Double?
        public var rcuSoftirqsPerOp: Double?
    }

    public static let configurations: [Configuration] = [
        Configuration(label: "tc new+drop", program: .tc, opsPerRun: 100_000),
        Configuration(label: "tc new+drop", program: .tc, opsPerRun: 4096),
        Configuration(label: "tc new+drop", program: .tc, opsPerRun: 256),
        Configuration(label: "tc new+drop", program: .tc, opsPerRun: 32),
        Configuration(label: "syscall new+drop", program: .syscall, opsPerRun: 100_000),
        Configuration(label: "syscall new+drop", program: .syscall, opsPerRun: 256),
        Configuration(label: "htab update+delete", program: .htab, opsPerRun: 100_000),
        Configuration(label: "htab update+delete", program: .htab, opsPerRun: 256),
        Configuration(label: "harness (empty)", program: .harness, opsPerRun: 100_000),
        Configuration(label: "harness (empty)", program: .harness, opsPerRun: 256),
    ]

    /// Runs every configuration on `cpu` with about `totalOps` operations each (after one
    /// warm-up run), then one extra run with /proc/slabinfo read before and after.
    public static func run(cpu: Int, size: Int, totalOps: Int, build: BPFBuild,
                           configurations: [Configuration] = configurations) throws -> [Measurement] {
        let objects = try loadPrograms(size: size, build: build)
        defer { for o in objects.values { o.object.close() } }
        let cache = SlabUsage.globalAllocatorCache(objectSize: size)
        var out: [Measurement] = []
        var failure: Error?
        try PinnedThread.run(on: [cpu]) { _, cpu in
            do {
                for c in configurations {
                    let p = objects[c.program]!
                    let runs = max(1, totalOps / c.opsPerRun)
                    try p.run(c.opsPerRun)
                    let irqBefore = InterruptCounts.read(cpu: cpu)
                    let t0 = monotonicNanoseconds()
                    for _ in 0..<runs { try p.run(c.opsPerRun) }
                    let ns = monotonicNanoseconds() - t0
                    let irqs = InterruptCounts.read(cpu: cpu).flatMap { after in irqBefore.map { after - $0 } }
                    let ops = Double(runs * c.opsPerRun)
                    // Slab pass, untimed; htab elements live in their own map's cache.
                    var growth: Int?
                    if c.program != .harness, c.program != .htab, let cache, let before = SlabUsage.activeObjects(cache: cache) {
                        try p.run(c.opsPerRun)
                        growth = SlabUsage.activeObjects(cache: cache).map { $0 - before }
                    }
                    out.append(Measurement(configuration: c, ops: runs * c.opsPerRun, nsPerOp: Double(ns) / ops,
                                           slabGrowthAfterOneRun: growth,
                                           irqWorkPerOp: irqs.map { Double($0.irqWork) / ops },
                                           rcuSoftirqsPerOp: irqs.map { Double($0.rcuSoftirq) / ops }))
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    /// One object size's row of the dose-response run: memalloc.c sets the watermarks, and so
    /// the refill batch, from the unit size (batch 48 up to 256 B, then 24, 12, 6, 3), so the
    /// number of refill irq_work interrupts per new+drop varies 16× with the size.
    public struct SizePoint: Sendable {
        public var size: Int
        public var unitSize: Int
        public var refillBatch: Int
        public var nsPerOp: Double
        public var irqWorkPerOp: Double?
    }

    /// The refill batch memalloc.c computes for a unit size (init_refill_work).
    public static func refillBatch(unitSize: Int) -> Int {
        let low = unitSize <= 256 ? 32 : max(32 * 256 / unitSize, 1)
        let high = unitSize <= 256 ? 96 : max(96 * 256 / unitSize, 3)
        return max((high - low) / 4 * 3, 1)
    }

    /// tc new+drop, `opsPerRun` per BPF_PROG_TEST_RUN, at each object size.
    public static func sizeSweep(cpu: Int, sizes: [Int], opsPerRun: Int, totalOps: Int, build: BPFBuild) throws -> [SizePoint] {
        var out: [SizePoint] = []
        for size in sizes {
            let runners = try loadPrograms(size: size, build: build, only: [.tc])
            defer { for r in runners.values { r.object.close() } }
            let p = runners[.tc]!
            var failure: Error?
            try PinnedThread.run(on: [cpu]) { _, cpu in
                do {
                    let runs = max(1, totalOps / opsPerRun)
                    for _ in 0..<max(1, runs / 10) { try p.run(opsPerRun) }
                    let before = InterruptCounts.read(cpu: cpu)
                    let t0 = monotonicNanoseconds()
                    for _ in 0..<runs { try p.run(opsPerRun) }
                    let ns = monotonicNanoseconds() - t0
                    let after = InterruptCounts.read(cpu: cpu)
                    let ops = Double(runs * opsPerRun)
                    let unit = SlabUsage.unitSizes.first { $0 >= size + 8 } ?? 0
                    out.append(SizePoint(size: size, unitSize: unit, refillBatch: refillBatch(unitSize: unit), nsPerOp: Double(ns) / ops,
                                         irqWorkPerOp: after.flatMap { a in before.map { Double((a - $0).irqWork) / ops } }))
                } catch { failure = error }
            }
            if let failure { throw failure }
        }
        return out
    }

    /// One program of the experiment, run `n` steps at a time.
    public struct Runner {
        public enum Kind: String, Sendable {
            /// obj_pair, inside rcu_read_lock
            case tc
            /// obj_pair_syscall: rcu_read_lock_trace only, so grace periods end during a run
            case syscall
            /// update+delete: bpf_mem_cache_free, immediate reuse
            case htab
            /// the empty loop
            case harness
        }
        let object: BPFObject
        let run: (Int) throws -> Void
        func run(_ n: Int) throws { try run(n) }
    }

    private static func loadPrograms(size: Int, build: BPFBuild, only: Set<Runner.Kind>? = nil) throws -> [Runner.Kind: Runner] {
        func load(_ program: some BPFProgramSymbol, maps: [BPFMapID: UInt32] = [:]) throws -> (BPFObject, TestRunProgram) {
            let o = try BPFObject(type(of: program).source, objectSize: size, build: build, maxEntries: maps, autoload: [program.id])
            return (o, o.testRun(program))
        }
        func tc(_ o: BPFObject, _ p: TestRunProgram) -> Runner {
            Runner(object: o) { n in
                guard try p.run(iterations: n) == 0 else { throw KernelCaseFailure("\(p.name) failed during the gap experiment") }
            }
        }
        var out: [Runner.Kind: Runner] = [:]
        let pair = try load(ObjPairProgram.objPair); out[.tc] = tc(pair.0, pair.1)
        if only == [.tc] { return out }
        let htab = try load(HtabChurnProgram.updateDelete, maps: [HtabChurnMap.table.id: 1024]); out[.htab] = tc(htab.0, htab.1)
        let harness = try load(HarnessProgram.harness); out[.harness] = tc(harness.0, harness.1)
        let syscall = try load(ObjPairSyscallProgram.objPairSyscall)
        out[.syscall] = Runner(object: syscall.0) { n in
            var args = UInt32(n)
            var retval: UInt32 = 0
            let rc = CLibbpf_test_run_syscall(syscall.1.fd, &args, UInt32(MemoryLayout<UInt32>.size), &retval)
            guard rc == 0, retval == 0 else { throw KernelCaseFailure("obj_pair_syscall failed (rc \(rc), retval \(retval))") }
        }
        return out
    }
}
