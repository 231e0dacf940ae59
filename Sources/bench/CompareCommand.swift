import ArgumentParser
import Foundation
import Regression
import Results

extension ComparisonFormat: ExpressibleByArgument {}

/// `bench compare BASE.csv NEW.csv`: parsing only; the work is `Comparison.run` in Reports.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results CSVs case by case with a Mann-Whitney U test.",
        discussion: """
            A case is regressed or improved when p < alpha and its median moved by at least the threshold, \
            in the metric's worse or better direction. Exit status: 0 no regression, 2 regression, \
            64 usage, 65 unreadable or incompatible input, 74 the report cannot be written to stdout.
            """)

    @Argument(help: "The baseline results CSV.")
    var base: String

    @Argument(help: "The results CSV to judge against the baseline.")
    var new: String

    @Option(parsing: .unconditional, help: "Significance level of the two-sided Mann-Whitney U test.")
    var alpha: Double = 0.05

    @Option(parsing: .unconditional, help: "Smallest change of the medians that counts, in percent of the base median.")
    var threshold: Double = 5

    @Option(help: "Output format.")
    var format: ComparisonFormat = .txt

    func validate() throws {
        // ValidationError exits 64 (EX_USAGE).
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be in (0, 1), got \(alpha)") }
        try OptionRange(name: "threshold", range: 0.0...1000, unit: "%").checkFinite(threshold)
    }

    func run() throws {
        let outcome: CompareOutcome
        do {
            outcome = try Comparison.run(basePath: base, newPath: new,
                                         options: ComparisonOptions(alpha: alpha, thresholdPercent: threshold),
                                         format: format)
        } catch let error as ResultsCSVError {
            printToStandardError("bench compare: \(BenchError.oneLine(error.description))")
            throw ExitCode(CompareExitStatus.dataError.rawValue)
        }
        StandardOutput.write(outcome.report)
        for warning in outcome.warnings { printToStandardError("bench compare: warning: \(BenchError.oneLine(warning))") }
        if outcome.exitStatus != .noRegression { throw ExitCode(outcome.exitStatus.rawValue) }
    }

    private func printToStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
