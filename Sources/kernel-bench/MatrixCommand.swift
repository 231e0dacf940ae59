import ArgumentParser
import Foundation
import KernelAllocator
import Results

struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "matrix", abstract: "Every kernel subject and workload at 1 and 2 threads: ns/op mean ± stddev over repetitions, Mops/s.")

    @OptionGroup var shared: SharedOptions

    @Option(help: "Measured time per repetition, ms.") var duration = 300
    @Option(help: "Warm-up before each repetition, ms.") var warmup = 50
    @Option(help: "Repetitions per case.") var repetitions = 5
    @Option(name: .customLong("ops-per-run"), help: "Operations per BPF_PROG_TEST_RUN.") var opsPerRun = 256

    func validate() throws {
        try positive(duration, "duration", max: 3_600_000)
        guard (0...3_600_000).contains(warmup) else { throw ValidationError("--warmup must be 0…3600000, got \(warmup)") }
        try positive(repetitions, "repetitions", max: 10_000)
        try positive(opsPerRun, "ops-per-run", max: 1 << 20)
    }

    func run() throws {
        let build = shared.prepare()
        let size = shared.size
        let duration = self.duration * 1_000_000
        let warmup = self.warmup * 1_000_000
        let k = opsPerRun
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
                        var samples: [Op: [Double]] = [:]
                        for _ in 0..<repetitions {
                            let t = try c.measure(durationNs: duration, warmupNs: warmup)
                            for op in workload.kernelOps { if let v = t.nsPerOp(op) { samples[op, default: []].append(v) } }
                            try c.drain()
                        }
                        for op in workload.kernelOps {
                            let v = samples[op] ?? []
                            let mean = v.reduce(0, +) / Double(max(v.count, 1))
                            let sd = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
                            let mops = Double(op == .pair && workload == .remote ? 1 : threads) * 1000 / mean
                            print("\(subject.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(workload.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(threads)        \(op.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(String(format: "%8.1f ± %-8.1f", mean, sd))       \(String(format: "%7.2f", mops))")
                        }
                    } catch let u as KernelUnavailable {
                        print("\(subject.rawValue) \(workload.rawValue) \(threads): \(u.description)")
                    } catch {
                        fail("\(subject.rawValue) \(workload.rawValue) \(threads): \(error)", 70)
                    }
                }
            }
        }
    }
}
