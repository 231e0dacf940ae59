import Foundation

/// The results CSV codec (README "Output"): an RFC 4180 writer and a strict reader.
///
/// The writer quotes a field only when it holds a comma, a double quote, CR or LF, and ends every
/// record with LF (the reader also accepts CRLF). The reader checks the exact header, the field
/// count of every record and every numeric field, and names the file and 1-based line of the first
/// problem, because a comparison built on a silently misread file is worse than none.
public enum ResultsCSV {
    /// The CSV text for `rows`, header first.
    ///
    /// A non-finite `value` cannot be read back as a number, so it is written the way the schema
    /// writes any missing value: empty, with the reason in `unit` (never silently dropped).
    public static func encode(_ rows: [ResultRow]) -> String {
        var text = ResultRow.columns.joined(separator: ",") + "\n"
        for row in rows {
            var value = ""
            var unit = row.unit
            if let v = row.value {
                if v.isFinite {
                    value = formatNumber(v)
                } else {
                    unit = "n/a: non-finite value \(v) (\(row.unit))"
                }
            }
            let fields = [
                row.runID, row.timestamp, row.commit, row.host, row.cpuModel, row.kernel, row.swift, row.build,
                row.strategy, row.workload, row.phase.rawValue, row.op.rawValue, String(row.threads), row.cpus, String(row.size),
                String(row.repetition), row.metric.rawValue, value, unit,
            ]
            text += fields.map(quoted).joined(separator: ",")
            text += "\n"
        }
        return text
    }

    /// The rows of a results CSV; `file` only names the source in errors.
    public static func decode(_ text: String, file: String) throws -> [ResultRow] {
        try decodeLocated(text, file: file).map(\.row)
    }

    /// The rows of a results CSV, each with the 1-based line its record starts on, so later checks
    /// (e.g. `bench compare` finding a unit mismatch) can point at the line too.
    public static func decodeLocated(_ text: String, file: String) throws -> [LocatedRow] {
        // A NUL byte is no CSV text: strtod would read "4\0" as 4 and the rest would pass unseen.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ResultsCSVError(file: file, line: line, reason: "a NUL byte: not CSV text")
        }
        var records = try CSVRecordReader(text: text, file: file).readAll()
        guard !records.isEmpty else {
            throw ResultsCSVError(file: file, line: 1, reason: "empty file, expected the header line")
        }
        let header = records.removeFirst()
        try checkHeader(header, file: file)
        return try records.map { try row(from: $0, file: file) }
    }

    /// Reads and decodes the file at `path`.
    public static func read(contentsOf path: String) throws -> [LocatedRow] {
        // Plain open/read: errno in words ("Too many levels of symbolic links"), never a Foundation error code.
        try ResultsFileReader.read(path)
    }

    /// Shortest text that reads back to the same Double; integral values without a trailing `.0`.
    public static func formatNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"")
            || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func checkHeader(_ header: CSVRecord, file: String) throws {
        let expected = ResultRow.columns
        guard !header.isBlank else {
            throw ResultsCSVError(file: file, line: header.line, reason: "header: blank line, expected the column names")
        }
        var names = header.fields
        // A byte-order mark from a spreadsheet export is not part of the first column's name.
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        for (index, name) in expected.enumerated() {
            guard index < names.count else {
                throw ResultsCSVError(file: file, line: header.line,
                                      reason: "header: missing column '\(name)' (expected \(expected.count) columns, found \(names.count))")
            }
            guard names[index] == name else {
                throw ResultsCSVError(file: file, line: header.line,
                                      reason: "header: column \(index + 1) is '\(names[index])', expected '\(name)'")
            }
        }
        guard names.count == expected.count else {
            throw ResultsCSVError(file: file, line: header.line,
                                  reason: "header: unexpected extra column '\(names[expected.count])'")
        }
    }

    private static func row(from record: CSVRecord, file: String) throws -> LocatedRow {
        let f = record.fields
        guard !record.isBlank else {
            throw ResultsCSVError(file: file, line: record.line, reason: "blank line inside the data")
        }
        guard f.count == ResultRow.columns.count else {
            throw ResultsCSVError(file: file, line: record.line,
                                  reason: "expected \(ResultRow.columns.count) fields, found \(f.count)")
        }
        func count(_ index: Int) throws -> Int {
            guard let n = Int(f[index]), n >= 0 else {
                throw ResultsCSVError(file: file, line: record.line,
                                      reason: "column '\(ResultRow.columns[index])': expected a non-negative integer, found '\(f[index])'")
            }
            return n
        }
        let value: Double?
        let unit = f[18]
        if f[17].isEmpty {
            // The schema's rule: a missing value always says why.
            guard unit.hasPrefix("n/a") else {
                throw ResultsCSVError(file: file, line: record.line,
                                      reason: "column 'value' is empty but 'unit' is '\(unit)', expected 'n/a: reason'")
            }
            value = nil
        } else {
            guard let v = Double(f[17]), v.isFinite else {
                throw ResultsCSVError(file: file, line: record.line,
                                      reason: "column 'value': expected a finite number, found '\(f[17])'")
            }
            if !MetricValueRange.isLegacyAnatomyDifference(phase: Phase(rawValue: f[10]), op: Op(rawValue: f[11]), metric: Metric(rawValue: f[16])),
                let why = MetricValueRange.problem(v, metric: Metric(rawValue: f[16])) {
                throw ResultsCSVError(file: file, line: record.line, reason: "column 'value': \(why)")
            }
            value = v
        }
        let row = ResultRow(
            runID: f[0], timestamp: f[1], commit: f[2], host: f[3], cpuModel: f[4], kernel: f[5], swift: f[6],
            build: f[7], strategy: f[8], workload: f[9], phase: Phase(rawValue: f[10]), op: Op(rawValue: f[11]), threads: try count(12),
            cpus: f[13], size: try count(14), repetition: try count(15), metric: Metric(rawValue: f[16]), value: value, unit: unit)
        return LocatedRow(line: record.line, row: row)
    }
}

/// A decoded row and the 1-based line its record starts on.
public struct LocatedRow: Equatable, Sendable {
    public var line: Int
    public var row: ResultRow

    public init(line: Int, row: ResultRow) {
        self.line = line
        self.row = row
    }
}

/// Why a results CSV could not be used. `line` is 1-based; nil when the whole file is at fault.
public struct ResultsCSVError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// One line, `file:line: reason`, as compilers print it so editors can jump there.
    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
