import Reports

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
}
