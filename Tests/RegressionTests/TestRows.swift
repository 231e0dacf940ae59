import Foundation
import Results
@testable import Regression
@testable import Statistics

/// Builds result rows for tests: one case, context fixed unless given.
func makeRow(strategy: String = "atomic", workload: String = "pair", phase: Phase = .live, op: Op = .pair,
             threads: Int = 1, size: Int = 64, repetition: Int = 0, metric: Metric = .mops, value: Double?,
             unit: String? = nil, runID: String = "run-1", host: String = "host-a") -> ResultRow {
    ResultRow(runID: runID, timestamp: "2025-01-01T00:00:00Z", commit: "abc1234", host: host,
              cpuModel: "Test CPU", kernel: "6.8.0", swift: "6.3.1", build: "release", strategy: strategy,
              workload: workload, phase: phase, op: op, threads: threads, cpus: "0", size: size,
              repetition: repetition, metric: metric, value: value,
              unit: unit ?? (value == nil ? "n/a: not measured" : defaultUnit(metric)))
}

func defaultUnit(_ metric: Metric) -> String {
    switch metric {
    case .mops: return "Mops/s"
    case .latencyUs: return "us"
    case .bytesPeak, .bytesAvg: return "B"
    case .outstanding, .verdict: return "count"
    default: return "ns"
    }
}

/// One row per value, repetitions 0..., with their (fake) line numbers.
func located(_ values: [Double], metric: Metric = .mops, strategy: String = "atomic", runID: String = "run-1",
             firstLine: Int = 2) -> [LocatedRow] {
    values.enumerated().map { i, v in
        LocatedRow(line: firstLine + i, row: makeRow(strategy: strategy, repetition: i, metric: metric, value: v, runID: runID))
    }
}

/// The statistical tests' seeded generator (reproducible).
typealias SeededGenerator = SplitMix64
