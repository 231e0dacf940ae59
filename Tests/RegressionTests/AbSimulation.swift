import Foundation
import Results
import Testing
@testable import Regression
@testable import Statistics

/// Simulated `bench ab` data shaped like this VM's noise: each invocation (process) has its own
/// speed (CV `invocationCV`), and with probability `episodeRate` it lands in a noisy episode that
/// slows it by `episodeFactor`; repetitions inside it scatter by `repetitionCV`, and one in
/// `dropRate` drops by `dropFactor` (the 20–40 % drops seen on shared VMs).
struct AbNoise: Sendable, CustomTestStringConvertible {
    var name: String
    var invocationCV = 0.03
    var episodeRate = 0.1
    var episodeFactor = 0.8
    var repetitionCV = 0.01
    var dropRate = 0.05
    var dropFactor = 0.7
    var testDescription: String { name }

    static let quiet = AbNoise(name: "quiet", invocationCV: 0.01, episodeRate: 0, repetitionCV: 0.01, dropRate: 0)
    static let shared = AbNoise(name: "shared VM")
    static let loaded = AbNoise(name: "loaded", invocationCV: 0.05, episodeRate: 0.25, episodeFactor: 0.7,
                                repetitionCV: 0.03, dropRate: 0.15, dropFactor: 0.6)

    /// K invocations × R repetitions of a throughput (higher is better) whose true value is `speed`.
    func side(speed: Double, invocations k: Int, repetitions r: Int, using rng: inout SeededGenerator) -> [[Double]] {
        (0..<k).map { _ in
            var invocation = speed * exp(invocationCV * rng.nextGaussian())
            if Double.random(in: 0..<1, using: &rng) < episodeRate { invocation *= episodeFactor }
            return (0..<r).map { _ in
                var v = invocation * exp(repetitionCV * rng.nextGaussian())
                if Double.random(in: 0..<1, using: &rng) < dropRate { v *= dropFactor }
                return v
            }
        }
    }

    /// K back-to-back pairs sharing the machine's state: each pair's two invocations are scaled by
    /// one common factor of CV `driftCV` (a slow stretch lasting several processes) on top of this
    /// model's own noise. Returns (base, new) with new slower by `slowdown`.
    func pairedSides(speed: Double, slowdown: Double, driftCV: Double, pairs k: Int, repetitions r: Int,
                     using rng: inout SeededGenerator) -> (base: [[Double]], new: [[Double]]) {
        var base: [[Double]] = [], new: [[Double]] = []
        for _ in 0..<k {
            let state = exp(driftCV * rng.nextGaussian())
            base += side(speed: speed * state, invocations: 1, repetitions: r, using: &rng)
            new += side(speed: speed * state / slowdown, invocations: 1, repetitions: r, using: &rng)
        }
        return (base, new)
    }

    /// Rows of `k` invocations (run ids `<side>-<i>`) of one case, for AbComparison.
    static func invocations(_ values: [[Double]], side: String, metric: Metric = .mops,
                            strategy: String = "atomic", paired: Bool = false) -> [AbInvocation] {
        values.enumerated().map { i, reps in
            AbInvocation(file: "\(side)-\(i).csv",
                         rows: reps.enumerated().map { r, v in
                             LocatedRow(line: r + 2, row: makeRow(strategy: strategy, repetition: r, metric: metric, value: v,
                                                                  runID: "\(side)-\(i)"))
                         }, pair: paired ? i : nil)
        }
    }
}
