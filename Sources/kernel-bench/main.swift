// kernel-bench: the kernel's bpf_mem_alloc measured on its own, in the style of the bpf
// selftests' bench (one pinned producer per CPU, warm-up, then "mean ± stddev" per case).
//   kernel-bench matrix [--duration MS] [--warmup MS] [--repetitions N] [--size B] [--ops-per-run K]
//   kernel-bench gap [--size B] [--ops N]      the experiment behind the model-vs-kernel gap
//   kernel-bench teardown [--objects N]        close the last fd of a full map, time until gone
//   kernel-bench strategies [--duration MS] [--repetitions N] [--map-values N]
//                                              the lifetime policies in BPF around bpf_global_ma:
//                                              ns/op, added ns over `kernel`, then kill/grace/fold/walk
//   kernel-bench kill [--map-values N]          the policies' kill, grace period, fold, frees after it
//   kernel-bench interleaved [--rounds N] [--slice-ms MS]
//                                              the policies' added ns, subjects time-sliced (drift cancelled)
//   kernel-bench walk [--map-values N,N,...]    the unload walk per map value, array and hash, cold and warm
// `bench --strategy kernel,...` runs the same cases inside the model's runner.
import Foundation
import KernelAllocator

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    guard let v = Int(args[i + 1]), v > 0 else {
        FileHandle.standardError.write(Data("kernel-bench: \(name) wants a positive integer\n".utf8))
        exit(64)
    }
    return v
}

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data("kernel-bench: \(message)\n".utf8))
    exit(code)
}

let command = CommandLine.arguments.dropFirst().first ?? "matrix"
let environment = KernelEnvironment.current()
let build = BPFBuild(environment: environment)
do { try environment.check() } catch { fail(error.description, 69) }
let size = option("--size", 64)
print("kernel \(environment.kernelRelease), object size \(size) B, CPUs 0-1")

switch command {
case "matrix":
    let duration = option("--duration", 300) * 1_000_000
    let warmup = option("--warmup", 50) * 1_000_000
    let repetitions = option("--repetitions", 5)
    let k = option("--ops-per-run", 256)
    print("\(repetitions) repetitions of \(duration / 1_000_000) ms (warm-up \(warmup / 1_000_000) ms), \(k) ops per BPF_PROG_TEST_RUN")
    print("subject         workload   threads  op     ns/op (mean ± stddev)   Mops/s")
    for subject in KernelSubjectKind.allCases {
        for workload in subject.workloads {
            for threads in [1, 2] {
                let spec = KernelCaseSpec(subject: subject, workload: workload, cpus: Array(0..<threads), size: size, opsPerRun: k)
                if let why = subject.unsupported(workload, threads: threads) {
                    print("\(subject.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(workload.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(threads)        n/a: \(why)")
                    continue
                }
                do {
                    let c = try KernelCase(spec: spec, build: build)
                    defer { c.close() }
                    var samples: [String: [Double]] = [:]
                    for _ in 0..<repetitions {
                        let t = try c.measure(durationNs: duration, warmupNs: warmup)
                        for op in workload.ops { if let v = t.nsPerOp(op) { samples[op, default: []].append(v) } }
                        try c.drain()
                    }
                    for op in workload.ops {
                        let v = samples[op] ?? []
                        let mean = v.reduce(0, +) / Double(max(v.count, 1))
                        let sd = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
                        let mops = Double(op == "pair" && workload == .remote ? 1 : threads) * 1000 / mean
                        print("\(subject.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(workload.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(threads)        \(op.padding(toLength: 6, withPad: " ", startingAt: 0)) \(String(format: "%8.1f ± %-8.1f", mean, sd))       \(String(format: "%7.2f", mops))")
                    }
                } catch let u as KernelUnavailable {
                    print("\(subject.rawValue) \(workload.rawValue) \(threads): \(u.description)")
                } catch {
                    fail("\(subject.rawValue) \(workload.rawValue) \(threads): \(error)", 70)
                }
            }
        }
    }
case "gap":
    let ops = option("--ops", 1_000_000)
    do {
        let results = try GapExperiment.run(cpu: 0, size: size, totalOps: ops, build: build)
        print("configuration          ops/run    ns/op   irq_work/1k ops   RCU softirq/1k ops   slab growth after one run (\(SlabUsage.globalAllocatorCache(objectSize: size) ?? "?"))")
        for m in results {
            let growth = m.slabGrowthAfterOneRun.map { "\($0)" } ?? "-"
            let iwi = m.irqWorkPerOp.map { String(format: "%8.2f", $0 * 1000) } ?? "       -"
            let rcu = m.rcuSoftirqsPerOp.map { String(format: "%8.3f", $0 * 1000) } ?? "       -"
            print("\(m.configuration.label.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%7d", m.configuration.opsPerRun))  \(String(format: "%7.1f", m.nsPerOp))   \(iwi)          \(rcu)             \(growth)")
        }
        print("")
        print("size    unit  refill batch   ns/op   irq_work/1k ops   (tc new+drop, 256 per run)")
        for p in try GapExperiment.sizeSweep(cpu: 0, sizes: [64, 248, 504, 1016, 2040, 4088], opsPerRun: 256, totalOps: ops / 2, build: build) {
            let iwi = p.irqWorkPerOp.map { String(format: "%8.2f", $0 * 1000) } ?? "       -"
            print("\(String(format: "%4d  %5d  %12d  %7.1f", p.size, p.unitSize, p.refillBatch, p.nsPerOp))   \(iwi)")
        }
    } catch { fail("\(error)", 70) }
case "teardown":
    let objects = option("--objects", 100_000)
    let repetitions = option("--repetitions", 5)
    print("map            objects   close_us   gone_us (each repetition)")
    for kind in KernelTeardown.MapKind.allCases {
        do {
            var cells: [String] = []
            for _ in 0..<repetitions {
                let t = try KernelTeardown.measure(kind, objects: objects, size: size, cpu: 0, build: build)
                cells.append(String(format: "%.0f/%.0f", Double(t.closeNs) / 1000, Double(t.goneNs) / 1000))
                usleep(200_000)
            }
            print("\(kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(objects)   \(cells.joined(separator: "  "))")
        } catch { fail("\(kind.rawValue): \(error)", 70) }
    }
case "strategies", "kill", "walk", "interleaved":
    do {
        switch command {
        case "strategies": try PolicyCommands.strategies(build: build, size: size)
        case "kill": try PolicyCommands.kill(build: build, size: size)
        case "interleaved": try PolicyCommands.interleaved(build: build, size: size)
        default: try PolicyCommands.walk(build: build, size: size)
        }
    } catch let u as KernelUnavailable {
        fail(u.description, 69)
    } catch { fail("\(error)", 70) }
default:
    fail("unknown command \(command) (matrix, gap, teardown, strategies, interleaved, kill, walk)", 64)
}
