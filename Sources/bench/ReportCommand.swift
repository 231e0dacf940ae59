import ArgumentParser
import Foundation
import Reports
import Results

/// `bench report RUN.csv`: the reports of a finished run rendered again from its CSV, nothing
/// measured — the terminal summary by default, or the whole mail text or markdown.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the reports of a finished run from its results CSV, without running anything.",
        discussion: """
            Reads RUN.csv (and RUN.json beside it, when present, for the command, settings and notes the CSV \
            does not keep) and prints on stdout, with today's renderers: the one-screen summary `bench run` \
            prints (default), the whole ≤ 75-column mail text (txt, what --full-report prints), or the markdown. \
            Exit status: 0 done, 65 unreadable CSV, 74 stdout cannot be written.
            """)

    enum View: String, ExpressibleByArgument, CaseIterable {
        case summary, txt, md
    }

    @Argument(help: "The run's results CSV (Results/<run-id>.csv).")
    var csv: String

    @Option(help: "What to print: summary (one screen), txt (the mail text) or md.")
    var format: View = .summary

    func run() throws {
        let saved: SavedRun
        do { saved = try SavedRun(csvPath: csv) } catch {
            BenchError(message: "\(error)", code: SysExit.dataError).exit()
        }
        let sections = ReportSections(rows: saved.rows, safety: saved.safety)
        switch format {
        case .summary:
            StandardOutput.write(TerminalSummary(description: saved.description, rows: saved.rows, safety: saved.safety,
                                                 sections: sections, files: saved.files).render())
        case .txt: StandardOutput.write(MailReport.render(saved.description, sections))
        case .md: StandardOutput.write(MarkdownReport.render(saved.description, sections))
        }
    }
}
