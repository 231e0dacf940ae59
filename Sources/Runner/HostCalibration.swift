import Platform
import Results

/// Measurements of the host itself, taken once per run before the first case and written as
/// `calibration` rows of the pseudo-subject `host`: the clock's resolution (no single-op latency
/// below it means anything), the fenced read pair's cost, and one contended cache line's RMW
/// cost at one and two threads (the constant of the contention projection).
struct HostCalibration {
    var resolutionNs: Double
    var readPairNs: Double
    var rmwNs: [(threads: Int, ns: Double)] = []
    /// A real kernel grace period (membarrier → synchronize_rcu), when the kernel offers it.
    var kernelGraceNs: [Double] = []

    static func measure(cpus: [Int], ticksPerNs: Double, overheadTicks: UInt64) -> HostCalibration {
        let resolution = Double(TimeStampCounter.measureResolutionTicks()) / ticksPerNs
        var c = HostCalibration(resolutionNs: resolution, readPairNs: Double(overheadTicks) / ticksPerNs)
        for t in [1, 2] where cpus.count >= t {
            if let ns = ContendedLine.nanosecondsPerRMW(cpus: Array(cpus.prefix(t))) { c.rmwNs.append((t, ns)) }
        }
        if KernelGracePeriod.unavailableReason == nil {
            for _ in 0..<3 { if let g = KernelGracePeriod.wait() { c.kernelGraceNs.append(Double(g)) } }
        }
        return c
    }

    func rows(_ context: RunContext, cpus: [Int]) -> [ResultRow] {
        func row(_ workload: String, _ op: Op, _ threads: Int, _ rep: Int, _ metric: Metric, _ value: Double?, _ unit: String) -> ResultRow {
            ResultRow(runID: context.runID, timestamp: context.timestamp, commit: context.commit, host: context.host,
                      cpuModel: context.cpuModel, kernel: context.kernel, swift: context.swift, build: context.build,
                      strategy: "host", workload: workload, phase: .calibration, op: op, threads: threads,
                      cpus: CPUList.format(Array(cpus.prefix(threads))), size: 0, repetition: rep, metric: metric,
                      value: value, unit: value == nil ? "n/a: \(unit)" : unit)
        }
        var out = [row("clock", .tsc, 1, 0, .resolutionNs, resolutionNs, "ns"),
                   row("clock", .tsc, 1, 0, .readPairNs, readPairNs, "ns")]
        for r in rmwNs { out.append(row("line", .rmw, r.threads, 0, .nsPerOp, r.ns, "ns")) }
        if kernelGraceNs.isEmpty {
            out.append(row("kernel-rcu", .grace, 1, 0, .latencyUs, nil, KernelGracePeriod.unavailableReason ?? "membarrier failed"))
        }
        for (i, g) in kernelGraceNs.enumerated() {
            out.append(row("kernel-rcu", .grace, 1, i, .latencyUs, g / 1000, "us"))
        }
        return out
    }
}
