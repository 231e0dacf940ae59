/// One record of an RFC 4180 file: its fields and the 1-based line it starts on (a quoted field
/// may span lines, so later records' line numbers are counted in physical lines).
struct CSVRecord: Equatable {
    var line: Int
    var fields: [String]
    /// An empty line: told apart from a record with one empty field only for a clearer error.
    var isBlank: Bool { fields.count == 1 && fields[0].isEmpty && !firstFieldWasQuoted }
    var firstFieldWasQuoted = false
}

/// Splits RFC 4180 text into records, strictly: a quote inside an unquoted field, text after a
/// closing quote, a bare CR or an unterminated quoted field is an error naming its line.
/// Records end with LF or CRLF; a final terminator is optional.
struct CSVRecordReader {
    let bytes: [UInt8]
    let file: String

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    func readAll() throws -> [CSVRecord] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var firstFieldQuoted = false
        var fieldQuoted = false
        var i = 0

        func error(_ reason: String, at errorLine: Int) -> ResultsCSVError {
            ResultsCSVError(file: file, line: errorLine, reason: reason)
        }
        func endField() {
            if fields.isEmpty { firstFieldQuoted = fieldQuoted }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldQuoted = false
        }
        func endRecord() {
            endField()
            var record = CSVRecord(line: recordLine, fields: fields)
            record.firstFieldWasQuoted = firstFieldQuoted
            records.append(record)
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let byte = bytes[i]
            if field.isEmpty && !fieldQuoted && byte == quote {
                // A quoted field: runs to the next quote not doubled; may contain commas and newlines.
                fieldQuoted = true
                let openLine = line
                i += 1
                guard scanQuoted(&i, line: &line, into: &field) else {
                    throw error("field \(fields.count + 1): quoted field opened here is never closed", at: openLine)
                }
                // After the closing quote only a separator or the end of the record may follow.
                if i < bytes.count, bytes[i] != comma, bytes[i] != lf,
                   !(bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf) {
                    throw error("field \(fields.count + 1): unexpected text after a closing quote", at: line)
                }
                continue
            }
            switch byte {
            case comma:
                endField()
                i += 1
            case lf:
                endRecord()
                line += 1
                recordLine = line
                i += 1
            case cr:
                guard i + 1 < bytes.count, bytes[i + 1] == lf else {
                    throw error("bare carriage return (CR without LF) outside quotes", at: line)
                }
                i += 1  // the LF ends the record
            case quote:
                throw error("field \(fields.count + 1): double quote inside an unquoted field", at: line)
            default:
                field.append(byte)
                i += 1
            }
        }
        // The last record needs no terminator; a terminator at the very end starts no new record.
        if !fields.isEmpty || !field.isEmpty || fieldQuoted {
            endRecord()
        }
        return records
    }

    /// The inside of a quoted field from `i` (just past its opening quote) to its closing quote:
    /// a doubled quote is one quote, newlines count lines. Leaves `i` past the closing quote;
    /// false when the field is never closed.
    func scanQuoted(_ i: inout Int, line: inout Int, into field: inout [UInt8]) -> Bool {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n")
        while i < bytes.count {
            let b = bytes[i]
            if b == quote {
                if i + 1 < bytes.count && bytes[i + 1] == quote {
                    field.append(quote)
                    i += 2
                    continue
                }
                i += 1
                return true
            }
            if b == lf { line += 1 }
            field.append(b)
            i += 1
        }
        return false
    }
}
