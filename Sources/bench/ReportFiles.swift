import Reports
import Results

/// The files of a run, one per requested format, named `<base>.<format>`.
enum ReportFiles {
    static func render(_ formats: [ResultFormat], base: String, description: RunDescription, sections: ReportSections,
                       rows: [ResultRow], mail: String) throws -> [(path: String, contents: String)] {
        try formats.map { f in
            switch f {
            case .csv: (base + ".csv", ResultsCSV.encode(rows))
            case .md: (base + ".md", MarkdownReport.render(description, sections))
            case .txt: (base + ".txt", mail)
            case .json: (base + ".json", try JSONReport.render(description, rows: rows))
            }
        }
    }

    /// Renders every requested format and publishes the files atomically (all or none), exiting
    /// 70 when a report cannot be rendered and 73 when a file cannot be written. Returns the
    /// files written. `write: false` renders only (a run that finished no case writes nothing).
    @discardableResult
    static func publish(_ formats: [ResultFormat], base: String, description: RunDescription, sections: ReportSections,
                        rows: [ResultRow], mail: String, write: Bool = true) -> [(path: String, contents: String)] {
        let files: [(path: String, contents: String)]
        do { files = try render(formats, base: base, description: description, sections: sections, rows: rows, mail: mail) } catch {
            BenchError(message: "cannot render the reports: \(error)", code: SysExit.software).exit()
        }
        guard write else { return [] }
        do { try AtomicFileWriter.write(files) } catch {
            BenchError(message: "\(error)", code: SysExit.cantCreate).exit()
        }
        return files
    }
}
