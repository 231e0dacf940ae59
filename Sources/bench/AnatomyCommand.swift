import ArgumentParser
import Foundation
import KernelAllocator
import Platform
import Results
import Statistics

/// `bench anatomy`: what the kernel's ~400 ns bpf_obj_new + bpf_obj_drop pair is made of,
/// against a no-prealloc hash map's immediate reuse (issue "Anatomy of the kernel's pair").
struct AnatomyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anatomy",
        abstract: "Count what the kernel allocator does under each pair (kmallocs, pages, irq_works, RCU softirqs) and time the parts.",
        discussion: """
            Runs `kernel` (bpf_global_ma, freed through bpf_mem_free_rcu) and `kernel-htab` (a no-prealloc hash \
            map's bpf_mem_cache, immediate reuse) on one pinned CPU, in blocks of an untraced then a traced loop \
            (the order alternates): raw tracepoints (kmem:kmalloc, kmem:kfree, kmem:mm_page_alloc, \
            irq_vectors:irq_work_entry/exit, irq:softirq_entry/exit) count exactly per op and time the irq_work \
            handlers and RCU softirqs; the probes are attached only while a traced loop runs and their own cost \
            per event is measured and printed. Then the pair's ns/op against one repetition's length. \
            A probe that cannot attach is n/a with its reason. Nothing stays attached on any exit (links close \
            with the process). Exit status: 0 done, 69 no BPF here, 70 a check failed, 130/143 interrupted.
            """)

    @Option(help: "Object size in bytes (8...4088, a multiple of 8).")
    var size = 64
    @Option(help: "The CPU to pin the loop on.")
    var cpu = 0
    @Option(help: "Blocks per subject (each an untraced, a traced and, for kernel, a timed loop); 6 or more give a 95 % interval.")
    var blocks = 6
    @Option(name: .customLong("duration-ms"), help: "Each loop's length in ms.")
    var durationMs = 200
    @Flag(help: "Skip the ns/op-against-repetition-length curve (10 ms … 5 s).")
    var noCurve = false

    /// Rounds of the curve: each length measured this many times, the lengths' order rotated
    /// between rounds so no length always follows the same one (one round read 1263 ns at
    /// 10 ms against ~550 ns at 1 s; one round cannot tell a transient from an episode).
    static let curveRounds = 3

    func validate() throws {
        guard blocks >= 1, blocks <= 100 else { throw ValidationError("--blocks must be 1...100, got \(blocks)") }
        guard durationMs >= 10, durationMs <= 10_000 else { throw ValidationError("--duration-ms must be 10...10000, got \(durationMs)") }
        let online = Topology.current().cpus.map(\.id)
        guard online.contains(cpu) else {
            throw ValidationError("--cpu must be an online CPU (\(online.map(String.init).joined(separator: ","))), got \(cpu)")
        }
        guard size >= 8, size <= 4088, size % 8 == 0 else { throw ValidationError("--size must be 8...4088 and a multiple of 8, got \(size)") }
    }

    /// `curveRounds` rounds of `subject`'s pair at 10 ms … 5 s, each from a fresh load;
    /// results in length order per round.
    static func curve(_ subject: KernelSubjectKind, cpu: Int, size: Int, build: BPFBuild) throws -> [[(lengthNs: Int, nsPerOp: Double)]] {
        let lengths = [10, 40, 200, 1000, 5000].map { $0 * 1_000_000 }
        var rounds: [[(lengthNs: Int, nsPerOp: Double)]] = []
        for r in 0..<curveRounds where !RunInterrupt.isSet {
            let k = r % lengths.count
            let order: [Int] = Array(lengths[k...]) + Array(lengths[..<k])
            let measured = try KernelAnatomy.lengthCurve(subject, cpu: cpu, size: size, lengthsNs: order, build: build, stop: { RunInterrupt.isSet })
            rounds.append(measured.sorted { $0.lengthNs < $1.lengthNs })
        }
        return rounds
    }

    func run() throws {
        RunInterrupt.install()
        let build = BPFBuild(environment: KernelEnvironment.current())
        let probes: AnatomyProbes
        do { probes = try AnatomyProbes(build: build, objectSize: size) } catch {
            BenchError(message: "anatomy: \(error.reason) (\(error.note))", code: SysExit.unavailable).exit()
        }
        defer { probes.close() }
        let stop = { RunInterrupt.isSet }
        var results: [(KernelSubjectKind, [AnatomyBlock])] = []
        do {
            for subject in [KernelSubjectKind.kernel, .kernelHtab] {
                fputs("anatomy: \(subject.rawValue), \(blocks) blocks of \(durationMs) ms untraced + \(durationMs) ms traced on CPU \(cpu)\n", stderr)
                results.append((subject, try KernelAnatomy.blocks(subject, probes: probes, cpu: cpu, size: size, blocks: blocks,
                                                                  durationNs: durationMs * 1_000_000, build: build, stop: stop)))
            }
            let harness = try KernelAnatomy.lengthCurve(.kernelHarness, cpu: cpu, size: size, lengthsNs: [durationMs * 1_000_000], build: build, stop: stop)
            var curves: [(KernelSubjectKind, [[(lengthNs: Int, nsPerOp: Double)]])] = []
            if !noCurve {
                for subject in [KernelSubjectKind.kernel, .kernelHtab] {
                    fputs("anatomy: \(subject.rawValue) against repetition length, \(Self.curveRounds) rounds\n", stderr)
                    curves.append((subject, try Self.curve(subject, cpu: cpu, size: size, build: build)))
                }
            }
            var held: [(KernelSubjectKind, HeldMemory)] = []
            let sampler = Topology.current().cpus.map(\.id).first { $0 != cpu }
            if let sampler {
                for subject in [KernelSubjectKind.kernel, .kernelHtab] where !RunInterrupt.isSet {
                    fputs("anatomy: \(subject.rawValue): slab bytes held during \(durationMs * 5) ms of churn\n", stderr)
                    if let h = try KernelAnatomy.heldMemory(subject, cpu: cpu, samplerCPU: sampler, size: size,
                                                            durationNs: durationMs * 5_000_000, build: build) { held.append((subject, h)) }
                }
            }
            var nolock: Result<KmallocNolockCost, KernelUnavailable>?
            if !RunInterrupt.isSet {
                fputs("anatomy: kmalloc_nolock through bpf_timer_init, \(blocks) blocks\n", stderr)
                do { nolock = .success(try KmallocNolockCost.measure(cpu: cpu, blocks: blocks, rounds: 8, build: build)) } catch let u as KernelUnavailable {
                    nolock = .failure(u)
                }
            }
            if RunInterrupt.isSet { BenchError(message: "interrupted; probes detached", code: RunInterrupt.exitCode).exit() }
            StandardOutput.write(AnatomyText.render(results, harnessNs: harness.first?.nsPerOp, curves: curves, held: held, nolock: nolock,
                                                    unavailable: probes.unavailable, size: size))
        } catch let e as KernelUnavailable {
            BenchError(message: "anatomy: \(e.reason) (\(e.note))", code: SysExit.unavailable).exit()
        } catch {
            if RunInterrupt.isSet { BenchError(message: "interrupted; probes detached", code: RunInterrupt.exitCode).exit() }
            BenchError(message: "anatomy: \(error)", code: SysExit.software).exit()
        }
    }
}
