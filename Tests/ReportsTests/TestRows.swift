import Foundation
@testable import Reports

/// Builds result rows for tests: one case, context fixed unless given.
func makeRow(strategy: String = "atomic", workload: String = "pair", phase: String = "live", op: String = "pair",
             threads: Int = 1, size: Int = 64, repetition: Int = 0, metric: String = "mops", value: Double?,
             unit: String? = nil, runID: String = "run-1", host: String = "host-a") -> ResultRow {
    ResultRow(runID: runID, timestamp: "2025-01-01T00:00:00Z", commit: "abc1234", host: host,
              cpuModel: "Test CPU", kernel: "6.8.0", swift: "6.3.1", build: "release", strategy: strategy,
              workload: workload, phase: phase, op: op, threads: threads, cpus: "0", size: size,
              repetition: repetition, metric: metric, value: value,
              unit: unit ?? (value == nil ? "n/a: not measured" : defaultUnit(metric)))
}

func defaultUnit(_ metric: String) -> String {
    switch metric {
    case "mops": return "Mops/s"
    case "latency_us": return "us"
    case "bytes_peak", "bytes_avg": return "B"
    case "outstanding", "verdict": return "count"
    default: return "ns"
    }
}

/// One row per value, repetitions 0..., with their (fake) line numbers.
func located(_ values: [Double], metric: String = "mops", strategy: String = "atomic", runID: String = "run-1",
             firstLine: Int = 2) -> [LocatedRow] {
    values.enumerated().map { i, v in
        LocatedRow(line: firstLine + i, row: makeRow(strategy: strategy, repetition: i, metric: metric, value: v, runID: runID))
    }
}

/// SplitMix64: a small seeded generator so the statistical tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal variate (Box–Muller).
    mutating func nextGaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
