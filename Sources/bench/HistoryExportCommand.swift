import ArgumentParser
import Foundation
import Reports

extension HistoryCommand {
    /// `bench history export --otava DIR`: the history as Apache Otava's CSV tests, so Otava
    /// itself can be run on it (and `scripts/ci-history-checks` checks it finds what we find).
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the history as Apache Otava's CSV tests: one CSV per machine and case, and otava.yaml.",
            discussion: """
                Each CSV has a time column (the commit date), the attributes commit and run, and a column per \
                metric, one row per point in the order `bench history` uses; otava.yaml defines a `type: csv` test \
                per CSV and a test group per machine (`otava analyze --config-file DIR/otava.yaml --since DATE \
                MACHINE`). Files are never replaced: export into a new or emptied directory. Exit status: 0, \
                64 usage, 65 unreadable history, 73 cannot write.
                """)

        @Option(help: "The directory to write the CSVs and otava.yaml into (created if missing).")
        var otava: String

        @Option(help: "The history directory.")
        var dir = HistoryCommand.defaultDirectory

        @Option(name: .customLong("case"), help: "Only cases whose name contains one of these (comma-separated).")
        var caseFilter: String?

        @Option(name: .customLong("host"), help: "Only these machines: their names as `bench history` shows them, or hosts (comma-separated).")
        var hostFilter: String?

        @Option(name: .customLong("runs-per-point"), help: "Make each point the median of N consecutive runs of one commit (1: one point per run).")
        var runsPerPoint = 1

        func validate() throws {
            try OptionRange(name: "runs-per-point", range: 1...10_000, unit: "").check(runsPerPoint)
            guard !otava.isEmpty else { throw ValidationError("--otava needs a directory") }
        }

        func run() throws {
            let report = try HistoryCommand.report(dir: dir, caseFilter: caseFilter, hostFilter: hostFilter,
                                                   runsPerPoint: runsPerPoint)
            let export = OtavaExport(report)
            do {
                try AtomicFileWriter.prepare(directory: otava)
                try AtomicFileWriter.write(export.files(in: otava))
            } catch let e as AtomicFileWriter.Failure {
                BenchError(message: e.description, code: SysExit.cantCreate).exit()
            }
            let machines = report.machines.map { m in "\(m.name) \(export.tests.filter { $0.machine == m.name }.count)" }
            print("\(export.tests.count) Otava tests (per machine: \(machines.joined(separator: ", "))) and "
                  + "\(OtavaExport.configName) written to \(otava)")
        }
    }
}
