import ArgumentParser
import Foundation
import Regression
import Results
import Statistics

/// `bench history`: per-case trends over commits with change points, one series per machine;
/// `bench history add` files runs; `bench history export --otava` writes Apache Otava's tests.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Per-case trends over commits with change points (E-Divisive means + t-test, as Apache Otava).",
        subcommands: [Show.self, Add.self, Export.self],
        defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print each case's series (one point per run: its median), commit by commit, with change points.",
            discussion: """
                Runs are read from --dir (files <commit date>_<commit>_<run id>.csv, as `bench history add` and \
                `bench ab --history` write them), ordered by commit date. A series is one case on one machine \
                (host, CPU model, kernel): a history of several machines prints a table per machine. Without \
                --case: one line per case; with --case: each matching case's trend per commit. Exit status: 0, \
                64 usage, 65 unreadable history.
                """)

        @OptionGroup var selection: HistorySelection

        @Option(help: "Largest p-value of the t-test that keeps a change point (Otava's --pvalue).")
        var pvalue = 0.001

        @Option(help: "Smallest relative change of the means that keeps a change point (Otava's --magnitude).")
        var magnitude = 0.0

        @Option(help: "Points per E-Divisive window (Otava's --window).")
        var window = 50

        @Option(help: "Output format.")
        var format: ComparisonFormat = .txt

        func validate() throws {
            guard pvalue > 0 && pvalue < 1 else { throw ValidationError("--pvalue must be in (0, 1), got \(pvalue)") }
            try OptionRange(name: "magnitude", range: 0.0...1000, unit: "").checkFinite(magnitude)
            try OptionRange(name: "window", range: 2...100_000, unit: "points").check(window)
        }

        func run() throws {
            let report = try selection.report(detector: EDivisive(windowLength: window, maxPValue: pvalue, minMagnitude: magnitude))
            print(report.rendered(as: format), terminator: "")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "File results CSVs into the history under their commit and its committer date.",
            discussion: "The commit is the CSV's commit column (one per file, not +dirty) unless --commit is given. Each filed run is printed with the machine it is filed under (its host, CPU model and kernel: one series per machine). A run already in the history (same run id and rows) is not filed again: a note says where it is. Exit status: 0, 64 usage, 65 unreadable CSV or a run already filed under another commit, 73 cannot write.")

        @Argument(help: "Results CSVs of `bench` runs.")
        var files: [String]

        @Option(help: "The history directory.")
        var dir = HistorySelection.defaultDirectory

        @Option(help: "The commit the runs measured (default: the CSV's commit column).")
        var commit: String?

        func run() throws {
            let dir = self.dir, files = self.files, commit = self.commit
            do {
                // Every file read first: a missing or damaged one is 65 whether or not git is here.
                let runs = try files.map { try ResultsCSV.read(contentsOf: $0).map(\.row) }
                try ChildProcess.blocking {
                    let root = try await RevisionBuild.repositoryRoot()
                    var batch: [(rows: [ResultRow], commit: String, date: Date)] = []
                    for (file, rows) in zip(files, runs) {
                        let commits = Set(rows.map(\.commit))
                        let named = commit ?? (commits.count == 1 ? commits.first! : "")
                        guard !named.isEmpty, !named.hasSuffix("+dirty"), named != "unknown" else {
                            throw BenchError.usage("\(file): commit column is \(commits.sorted().joined(separator: ", ")); give --commit")
                        }
                        let full = try await RevisionBuild.resolve(named, root: root)
                        batch.append((rows, String(full.prefix(12)), try await RevisionBuild.commitDate(full, root: root)))
                    }
                    // A run already filed under another commit refuses the whole batch, before any is filed.
                    for b in batch { try HistoryStore.checkNotFiledUnderAnotherCommit(b.rows, commit: b.commit, in: dir) }
                    var filed: [(path: String, rows: [ResultRow])] = []
                    for (file, b) in zip(files, batch) {
                        switch try HistoryStore.append(b.rows, commit: b.commit, commitDate: b.date, to: dir) {
                        case .filed(let path): filed.append((path, b.rows))
                        case .alreadyFiled(let path): fputs("bench: note: \(file) is already filed as \(path); not counted twice\n", stderr)
                        }
                    }
                    Self.sayMachines(of: filed, in: dir)
                }
            } catch let e as BenchError {
                e.exit()
            } catch let e as RevisionBuild.Failure {
                BenchError.usage(e.description).exit()
            } catch let e as ResultsCSVError {
                BenchError(message: "\(e)", code: SysExit.dataError).exit()
            } catch let e as AtomicFileWriter.Failure {
                BenchError(message: e.description, code: SysExit.cantCreate).exit()
            }
        }

        /// One line per filed run: its file and the machine it is filed under, by the name `bench
        /// history` shows (the host, with a short hash when the history holds another machine of
        /// that host) and in full.
        static func sayMachines(of filed: [(path: String, rows: [ResultRow])], in dir: String) {
            // The whole history names the machines; if another file cannot be read, `show` will say so.
            let known = (try? HistoryStore.load(directory: dir))?.flatMap(\.machines) ?? []
            let runs = filed.map { f in OptionList.unique(f.rows.map { MachineIdentity($0) }) }
            let names = MachineIdentity.names(known + runs.flatMap { $0 })
            for (f, machines) in zip(filed, runs) {
                let said = machines.map { m in (names[m] == m.host ? "" : "\(names[m]!) = ") + m.description }
                print("filed \(f.path) under machine \(said.joined(separator: " and "))")
            }
        }
    }
}

/// Which runs and series a history command reads: `show` and `export` share these.
struct HistorySelection: ParsableArguments {
    static let defaultDirectory = "Results/history"

    @Option(help: "The history directory.")
    var dir = HistorySelection.defaultDirectory

    @Option(name: .customLong("case"), help: "Only cases whose name contains one of these (comma-separated); show prints their trends.")
    var caseFilter: String?

    @Option(name: .customLong("host"), help: "Only these machines: their names as the header shows them, or hosts (comma-separated).")
    var hostFilter: String?

    @Option(name: .customLong("runs-per-point"), help: "Make each point the median of N consecutive runs of one commit (1: one point per run, as Otava).")
    var runsPerPoint = 1

    func validate() throws {
        try OptionRange(name: "runs-per-point", range: 1...10_000, unit: "").check(runsPerPoint)
    }

    /// The history's report, or a one-line error: 65 unreadable, 64 a filter that names nothing.
    func report(detector: EDivisive = EDivisive()) throws -> HistoryReport {
        let cases = try caseFilter.map { try OptionList.split($0, what: "case") } ?? []
        let hosts = try hostFilter.map { try OptionList.split($0, what: "host") } ?? []
        do {
            return try HistoryReport(entries: HistoryStore.load(directory: dir), directory: dir, caseFilter: cases,
                                     machineFilter: hosts, detector: detector, runsPerPoint: runsPerPoint)
        } catch let e as ResultsCSVError {
            BenchError(message: "\(e)", code: SysExit.dataError).exit()
        } catch let e as AbCaseFilterError {
            BenchError.usage(e.description).exit()
        } catch let e as HistoryMachineFilterError {
            BenchError.usage(e.description).exit()
        }
    }
}
