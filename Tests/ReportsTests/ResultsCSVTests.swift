import Foundation
import Results
import Testing
@testable import Reports

struct ResultsCSVTests {
    static let header = ResultRow.columns.joined(separator: ",")
    static let goodLine = "r1,2025-01-01T00:00:00Z,abc,host,CPU,6.8,6.3.1,release,atomic,pair,live,pair,1,0,64,0,mops,12.5,Mops/s"

    @Test func roundTripsAwkwardFields() throws {
        var tricky = makeRow(value: 12.345678901234567)
        tricky.cpuModel = "Intel(R) Xeon(R), \"Gold\" 6338"
        tricky.host = "line1\nline2"
        tricky.kernel = "6.8.0\r\n-generic"
        let rows = [
            tricky,
            makeRow(repetition: 1, value: nil, unit: "n/a: post-kill allocation refused, by design"),
            makeRow(repetition: 2, value: 0.000125),
            makeRow(repetition: 3, metric: .bytesSlab, value: -3),
            makeRow(repetition: 4, metric: .bytesKernel, value: 1.1e15),
        ]
        let text = ResultsCSV.encode(rows)
        #expect(try ResultsCSV.decode(text, file: "t.csv") == rows)
        #expect(text.hasPrefix(Self.header + "\n"))
    }

    /// Values no run can produce are refused with their line: a negative time or rate, an op of
    /// over an hour, 1.7e308; a counter delta may be negative; an unknown metric is only bounded.
    @Test func valuesNoRunCanProduceAreRefused() throws {
        func decode(_ metric: Metric, _ value: String) -> ResultsCSVError? {
            let text = Self.header + "\n" + Self.goodLine.replacingOccurrences(of: ",mops,12.5,", with: ",\(metric),\(value),") + "\n"
            do { _ = try ResultsCSV.decode(text, file: "v.csv") } catch let e as ResultsCSVError { return e } catch { return nil }
            return nil
        }
        for (metric, value) in [(Metric.nsPerOp, "-3.984"), (.nsPerOp, "1.7e308"), (.mops, "-1"), (.p99Ns, "4e12"),
                                 (.latencyUs, "-0.5"), (.bytesPeak, "-1"), (.bytesKernel, "1e18"), (Metric(rawValue: "new_metric"), "1e16")] {
            let e = decode(metric, value)
            #expect(e?.line == 2, "\(metric) = \(value) accepted")
            #expect(e?.reason.contains(metric.rawValue) == true)
        }
        for (metric, value) in [(Metric.nsPerOp, "0"), (.nsPerOp, "512.5"), (.bytesSlab, "-2048"), (.bytesMemcg, "-4096"),
                                (Metric(rawValue: "new_metric"), "-7"), (.overControl, "1.3")] {
            #expect(decode(metric, value) == nil, "\(metric) = \(value) refused")
        }
        #expect(decode(.differenceNs, "-639.6") == nil && decode(.bytesSlabAvg, "-1219268.4") == nil)
    }

    /// Runs of 2026-12-05 wrote the anatomy's differences as ns_per_op, latency_us and
    /// bytes_peak/avg, negative at times: such rows of a saved run still read; the same metric
    /// negative in any other phase or op is still refused.
    /// A NUL byte in a field ("4\0") is refused with its line, not read as 4.
    @Test func aNulByteIsRefusedWithItsLine() {
        let text = Self.header + "\n" + Self.goodLine + "\n" + Self.goodLine.replacingOccurrences(of: ",12.5,", with: ",4\u{0},") + "\n"
        #expect(throws: ResultsCSVError.self) { try ResultsCSV.decode(text, file: "n.csv") }
        do { _ = try ResultsCSV.decode(text, file: "n.csv") } catch let e as ResultsCSVError { #expect(e.line == 3 && e.reason.contains("NUL")) } catch {}
    }

    @Test func savedAnatomyDifferencesStillRead() throws {
        func decode(_ phase: String, _ op: String, _ metric: Metric, _ value: String) -> Bool {
            let fields = Self.goodLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var f = fields
            f[10] = phase; f[11] = op; f[16] = metric.rawValue; f[17] = value
            return (try? ResultsCSV.decode(Self.header + "\n" + f.joined(separator: ",") + "\n", file: "a.csv")) != nil
        }
        #expect(decode("anatomy", "rest", .nsPerOp, "-1452.4"))
        #expect(decode("anatomy", "irq-work-outside", .latencyUs, "-0.3"))
        #expect(decode("anatomy", "probe", .nsPerOp, "-4"))
        #expect(decode("anatomy", "held", .bytesAvg, "-1219268.4"))
        #expect(!decode("anatomy", "pair", .nsPerOp, "-5"))
        #expect(!decode("live", "rest", .nsPerOp, "-5"))
    }

    @Test func quotesOnlyFieldsThatNeedIt() {
        #expect(ResultsCSV.quoted("plain") == "plain")
        #expect(ResultsCSV.quoted("a,b") == "\"a,b\"")
        #expect(ResultsCSV.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ResultsCSV.quoted("a\nb") == "\"a\nb\"")
        #expect(ResultsCSV.formatNumber(12) == "12")
        #expect(ResultsCSV.formatNumber(0.1) == "0.1")
    }

    @Test func nonFiniteValueBecomesAnExplainedMissingValue() throws {
        let text = ResultsCSV.encode([makeRow(value: .nan, unit: "ns")])
        let row = try #require(try ResultsCSV.decode(text, file: "t.csv").first)
        #expect(row.value == nil)
        #expect(row.unit.hasPrefix("n/a: non-finite value nan (ns)"))
    }

    @Test func acceptsCRLFAndAMissingFinalNewline() throws {
        let text = Self.header + "\r\n" + Self.goodLine + "\r\n" + Self.goodLine.replacingOccurrences(of: ",0,mops", with: ",1,mops")
        let rows = try ResultsCSV.decodeLocated(text, file: "t.csv")
        #expect(rows.map(\.line) == [2, 3])
        #expect(rows.map(\.row.repetition) == [0, 1])
    }

    @Test func lineNumbersCountPhysicalLinesInsideQuotedFields() throws {
        var row = makeRow(value: 1)
        row.host = "a\nb\nc"
        let text = ResultsCSV.encode([row, makeRow(repetition: 1, value: 2)])
        #expect(try ResultsCSV.decodeLocated(text, file: "t.csv").map(\.line) == [2, 5])
        let broken = text + "x,y\n"
        #expect(throws: ResultsCSVError(file: "t.csv", line: 6, reason: "expected 19 fields, found 2")) {
            try ResultsCSV.decode(broken, file: "t.csv")
        }
    }

    @Test func headerOnlyIsValidAndEmpty() throws {
        #expect(try ResultsCSV.decode(Self.header + "\n", file: "t.csv").isEmpty)
        // A spreadsheet's byte-order mark does not break the header.
        #expect(try ResultsCSV.decode("\u{FEFF}" + Self.header + "\n" + Self.goodLine, file: "t.csv").count == 1)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var reason: String
        var testDescription: String { name }
    }

    static let good = goodLine
    static let malformed: [Malformed] = [
        Malformed(name: "empty file", text: "", line: 1, reason: "empty file, expected the header line"),
        Malformed(name: "blank header", text: "\n" + good, line: 1, reason: "header: blank line, expected the column names"),
        Malformed(name: "wrong column", text: header.replacingOccurrences(of: "metric", with: "measure") + "\n" + good,
                  line: 1, reason: "header: column 17 is 'measure', expected 'metric'"),
        Malformed(name: "missing column", text: ResultRow.columns.dropLast().joined(separator: ",") + "\n",
                  line: 1, reason: "header: missing column 'unit' (expected 19 columns, found 18)"),
        Malformed(name: "extra column", text: header + ",note\n", line: 1, reason: "header: unexpected extra column 'note'"),
        Malformed(name: "too few fields", text: header + "\n" + good + "\n" + "r1,x\n", line: 3, reason: "expected 19 fields, found 2"),
        Malformed(name: "too many fields", text: header + "\n" + good + ",extra\n", line: 2, reason: "expected 19 fields, found 20"),
        Malformed(name: "blank line", text: header + "\n" + good + "\n\n" + good + "\n", line: 3, reason: "blank line inside the data"),
        Malformed(name: "bad threads", text: header + "\n" + good.replacingOccurrences(of: ",pair,1,0,", with: ",pair,two,0,") + "\n",
                  line: 2, reason: "column 'threads': expected a non-negative integer, found 'two'"),
        Malformed(name: "negative size", text: header + "\n" + good + "\n" + good.replacingOccurrences(of: ",0,64,0,", with: ",0,-64,0,"),
                  line: 3, reason: "column 'size': expected a non-negative integer, found '-64'"),
        Malformed(name: "fractional repetition", text: header + "\n" + good.replacingOccurrences(of: ",64,0,mops", with: ",64,0.5,mops"),
                  line: 2, reason: "column 'repetition': expected a non-negative integer, found '0.5'"),
        Malformed(name: "non-numeric value", text: header + "\n" + good.replacingOccurrences(of: "12.5", with: "12.5x"),
                  line: 2, reason: "column 'value': expected a finite number, found '12.5x'"),
        Malformed(name: "infinite value", text: header + "\n" + good.replacingOccurrences(of: "12.5", with: "inf"),
                  line: 2, reason: "column 'value': expected a finite number, found 'inf'"),
        Malformed(name: "missing value without reason", text: header + "\n" + good.replacingOccurrences(of: "12.5", with: ""),
                  line: 2, reason: "column 'value' is empty but 'unit' is 'Mops/s', expected 'n/a: reason'"),
        Malformed(name: "unterminated quote", text: header + "\n" + good + "\n" + good.replacingOccurrences(of: "CPU", with: "\"CPU") + "\n",
                  line: 3, reason: "field 5: quoted field opened here is never closed"),
        Malformed(name: "quote inside unquoted field", text: header + "\n" + good.replacingOccurrences(of: "CPU", with: "C\"PU"),
                  line: 2, reason: "field 5: double quote inside an unquoted field"),
        Malformed(name: "text after closing quote", text: header + "\n" + good.replacingOccurrences(of: "CPU", with: "\"CPU\"x"),
                  line: 2, reason: "field 5: unexpected text after a closing quote"),
        Malformed(name: "bare CR", text: header + "\n" + good + "\r" + good, line: 2,
                  reason: "bare carriage return (CR without LF) outside quotes"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedInputNamingTheLine(_ m: Malformed) {
        #expect(throws: ResultsCSVError(file: "in.csv", line: m.line, reason: m.reason)) {
            try ResultsCSV.decode(m.text, file: "in.csv")
        }
    }

    @Test func errorDescriptionIsOneLineWithFileAndLine() {
        #expect(ResultsCSVError(file: "a.csv", line: 7, reason: "bad").description == "a.csv:7: bad")
        #expect(ResultsCSVError(file: "a.csv", line: nil, reason: "cannot read: no such file").description
                == "a.csv: cannot read: no such file")
    }

    @Test func unreadableFileNamesTheFile() {
        let path = "/nonexistent/dir/results.csv"
        do {
            _ = try ResultsCSV.read(contentsOf: path)
            Issue.record("expected an error")
        } catch let error as ResultsCSVError {
            #expect(error.file == path)
            #expect(error.line == nil)
            #expect(error.description.hasPrefix(path + ": cannot read"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
