import ArgumentParser
import Foundation
import Regression
import Results

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

        @OptionGroup var selection: HistorySelection

        func validate() throws {
            guard !otava.isEmpty else { throw ValidationError("--otava needs a directory") }
        }

        func run() throws {
            let report = try selection.report()
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
