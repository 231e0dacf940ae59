import Foundation
import Platform

/// One block of one subject's anatomy: the pair run untraced, then with the probes attached,
/// each for the same time on the same pinned CPU.
public struct AnatomyBlock: Sendable {
    public let untracedNsPerOp: Double
    public let tracedNsPerOp: Double
    public let tracedOps: UInt64
    /// What the probes counted on the CPU while the traced half ran.
    public let counts: AnatomyCounts
    /// `timed_pair`'s sums over a third loop (only for `kernel`: bpf_global_ma's pair).
    public let timing: AnatomyTiming?

    /// kmallocs of the objects' kmalloc size per op: ~1 when every refill takes fresh memory,
    /// ~0 when objects come back from the RCU lists after their grace period.
    public var kmallocsPerOp: Double { Double(counts.kmallocUnit) / Double(max(tracedOps, 1)) }
    public func perThousand(_ v: UInt64) -> Double { 1000 * Double(v) / Double(max(tracedOps, 1)) }
    public var irqWorkNsPerOp: Double { Double(counts.irqWorkNs) / Double(max(tracedOps, 1)) }
    public var rcuSoftirqNsPerOp: Double { Double(counts.rcuSoftirqNs) / Double(max(tracedOps, 1)) }
    /// The probes' own cost per event: what tracing added per op over the events per op.
    public var probeNsPerEvent: Double? {
        let events = Double(counts.events) / Double(max(tracedOps, 1))
        return events > 0 ? (tracedNsPerOp - untracedNsPerOp) / events : nil
    }
}

/// The anatomy of the kernel's pair (`bench anatomy`): for `kernel` (bpf_global_ma, freed
/// through bpf_mem_free_rcu) and `kernel-htab` (a no-prealloc hash map's bpf_mem_cache,
/// immediate reuse), what the allocator does underneath each op, counted exactly by raw
/// tracepoints, and the time inside irq_work and the RCU softirq.
public enum KernelAnatomy {
    /// One pinned loop of `c`'s pair program for `durationNs`: ops and ns.
    static func loop(_ c: KernelCase, cpu: Int, durationNs: Int) throws(KernelCaseFailure) -> (ops: Int, ns: Int) {
        let name = c.spec.subject == .kernelHarness ? HarnessProgram.harness.id : c.spec.programNames.pair
        guard let program = c.programs[name] else { throw KernelCaseFailure("\(c.spec.subject.rawValue) has no pair program") }
        let k = c.spec.opsPerRun
        let result = LoopResult()
        do {
            try PinnedThread.run(on: [cpu]) { _, _ in
                var ops = 0
                let t0 = monotonicNanoseconds()
                var t = t0
                do throws(KernelCaseFailure) {
                    while t - t0 < durationNs {
                        try c.check(program.run(iterations: k, base: 0, seed: 1))
                        ops += k
                        t = monotonicNanoseconds()
                    }
                    result.set(.success((ops, t - t0)))
                } catch { result.set(.failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        return try result.get()
    }

    /// `blocks` blocks of `subject`'s pair on `cpu`: untraced then traced, `durationNs` each (the
    /// order alternates between blocks, so neither half always follows the other).
    public static func blocks(_ subject: KernelSubjectKind, probes: AnatomyProbes, cpu: Int, size: Int, blocks: Int, durationNs: Int,
                              build: BPFBuild, stop: () -> Bool) throws -> [AnatomyBlock] {
        let c = try KernelCase(spec: KernelCaseSpec(subject: subject, workload: .pair, cpus: [cpu], size: size), build: build)
        defer { c.close() }
        _ = try loop(c, cpu: cpu, durationNs: durationNs / 4) // warm-up, dropped
        var out: [AnatomyBlock] = []
        for b in 0..<blocks where !stop() {
            var untraced = (ops: 0, ns: 0), traced = (ops: 0, ns: 0)
            var counts = AnatomyCounts()
            let timing = subject == .kernel ? try timed(probes: probes, cpu: cpu, durationNs: durationNs / 2) : nil
            func runTraced() throws {
                probes.attach()
                defer { probes.detach() }
                let before = probes.read(cpu: cpu)
                traced = try loop(c, cpu: cpu, durationNs: durationNs)
                counts = probes.read(cpu: cpu) - before
            }
            if b % 2 == 1 {
                try runTraced()
                untraced = try loop(c, cpu: cpu, durationNs: durationNs)
            } else {
                untraced = try loop(c, cpu: cpu, durationNs: durationNs)
                try runTraced()
            }
            out.append(AnatomyBlock(untracedNsPerOp: Double(untraced.ns) / Double(max(untraced.ops, 1)),
                                    tracedNsPerOp: Double(traced.ns) / Double(max(traced.ops, 1)), tracedOps: UInt64(traced.ops), counts: counts, timing: timing))
        }
        return out
    }

    /// `timed_pair` on `cpu` for `durationNs` with only the interrupt probes attached: each
    /// pair timed alone, those an irq_work entered apart.
    static func timed(probes: AnatomyProbes, cpu: Int, durationNs: Int) throws -> AnatomyTiming {
        probes.attach(AnatomyProbes.interruptProbes)
        defer { probes.detach() }
        let program = probes.timedPair
        let result = LoopResult()
        let before = probes.readTiming(cpu: cpu)
        try PinnedThread.run(on: [cpu]) { _, _ in
            let t0 = monotonicNanoseconds()
            var ops = 0
            do throws(KernelCaseFailure) {
                while monotonicNanoseconds() - t0 < durationNs {
                    _ = try program.run(iterations: 4096)
                    ops += 4096
                }
                result.set(.success((ops, monotonicNanoseconds() - t0)))
            } catch { result.set(.failure(error)) }
        }
        _ = try result.get()
        let t = probes.readTiming(cpu: cpu) - before
        guard t.failed == 0 else { throw KernelCaseFailure("timed_pair: \(t.failed) bpf_obj_new failures") }
        return t
    }

    /// The pair's ns/op against the length of one repetition, each from a fresh load, untraced,
    /// in increasing order (the allocator's history carries over: what a real run sees).
    public static func lengthCurve(_ subject: KernelSubjectKind, cpu: Int, size: Int, lengthsNs: [Int], build: BPFBuild,
                                   stop: () -> Bool) throws -> [(lengthNs: Int, nsPerOp: Double)] {
        var out: [(Int, Double)] = []
        for length in lengthsNs where !stop() {
            let c = try KernelCase(spec: KernelCaseSpec(subject: subject, workload: .pair, cpus: [cpu], size: size), build: build)
            defer { c.close() }
            let r = try loop(c, cpu: cpu, durationNs: length)
            out.append((length, Double(r.ns) / Double(max(r.ops, 1))))
        }
        return out
    }

    /// kmalloc's size class for a bpf_global_ma object of `size` bytes (+ the 8-byte llist
    /// header the allocator adds): the bytes_alloc its refills' kmallocs report.
    public static func kmallocBytes(objectSize size: Int) -> Int {
        let unit = size + 8
        return [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192].first { $0 >= unit } ?? unit
    }
}

/// The pinned loop's result, handed back across the thread.
final class LoopResult: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<(Int, Int), KernelCaseFailure>?
    func set(_ r: Result<(Int, Int), KernelCaseFailure>) { lock.lock(); value = r; lock.unlock() }
    func get() throws(KernelCaseFailure) -> (ops: Int, ns: Int) {
        lock.lock(); defer { lock.unlock() }
        switch value {
        case .success(let v)?: return v
        case .failure(let e)?: throw e
        case nil: throw KernelCaseFailure("the pinned loop did not report")
        }
    }
}

/// Slab memory a subject's churn holds (accounted kmalloc caches, /proc/slabinfo), sampled from
/// another CPU while the pair runs: what deferred reuse keeps waiting for its grace period.
public struct HeldMemory: Sendable {
    public let peakBytes: Int
    public let averageBytes: Double
    /// The lowest sample: peak − lowest is the swing the churn itself makes, whatever earlier
    /// frees still finishing their grace periods do to the level.
    public let lowestBytes: Int
    public let samples: Int
}

extension KernelAnatomy {
    /// Runs `subject`'s pair on `cpu` for `durationNs` while this thread, on `samplerCPU`,
    /// reads the `kmalloc-cg-*` caches' bytes in use every ~2 ms; bytes over the level just
    /// before the loop, taken after 200 ms at rest so earlier loops' deferred frees have
    /// mostly finished. nil without /proc/slabinfo (root only).
    public static func heldMemory(_ subject: KernelSubjectKind, cpu: Int, samplerCPU: Int, size: Int, durationNs: Int,
                                  build: BPFBuild) throws -> HeldMemory? {
        let c = try KernelCase(spec: KernelCaseSpec(subject: subject, workload: .pair, cpus: [cpu], size: size), build: build)
        defer { c.close() }
        usleep(200_000)
        guard let base = SlabUsage.activeBytes(prefix: "kmalloc-cg-") else { return nil }
        let sampler = SlabSampler()
        let thread = Thread {
            try? Pinning.pinCurrentThread(to: samplerCPU)
            while !sampler.stopping {
                if let b = SlabUsage.activeBytes(prefix: "kmalloc-cg-") { sampler.add(b - base) }
                usleep(2000)
            }
            sampler.finish()
        }
        thread.start()
        defer { sampler.stopAndWait() }
        _ = try loop(c, cpu: cpu, durationNs: durationNs)
        sampler.stopAndWait()
        let samples = sampler.samples
        guard !samples.isEmpty else { return nil }
        return HeldMemory(peakBytes: samples.max()!, averageBytes: Double(samples.reduce(0, +)) / Double(samples.count),
                          lowestBytes: samples.min()!, samples: samples.count)
    }
}

/// The slab sampler's readings and its stop, handed across threads.
final class SlabSampler: @unchecked Sendable {
    private let lock = NSCondition()
    private var stop = false, finished = false, values: [Int] = []
    var stopping: Bool { lock.lock(); defer { lock.unlock() }; return stop }
    var samples: [Int] { lock.lock(); defer { lock.unlock() }; return values }
    func add(_ v: Int) { lock.lock(); values.append(v); lock.unlock() }
    func finish() { lock.lock(); finished = true; lock.broadcast(); lock.unlock() }
    /// Stops the sampler and waits for its thread to leave (idempotent).
    func stopAndWait() {
        lock.lock()
        stop = true
        while !finished { lock.wait() }
        lock.unlock()
    }
}
