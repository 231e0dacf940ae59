import Foundation
import Results
import Testing
@testable import Regression

/// What `bench compare` says about files it cannot use: one line naming the file and line.
/// A class so each test removes its directory when it ends (deinit).
final class ResultsFileReaderTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("compare-input-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func error(_ body: () throws -> Any) -> ResultsCSVError? {
        do { _ = try body() } catch let e as ResultsCSVError { return e } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    /// Two verdict rows; the second (line 3) carries `value`.
    func verdictCSV(_ value: String) -> String {
        ResultsCSV.encode([makeRow(metric: .verdict, value: 0), makeRow(repetition: 1, metric: .verdict, value: 42)])
            .replacingOccurrences(of: ",verdict,42,", with: ",verdict,\(value),")
    }

    @Test(arguments: ["4", "1.5", "-1"])
    func aVerdictOutsideZeroToThreeIsRefusedWithItsLine(value: String) throws {
        let path = try write("v.csv", Array(verdictCSV(value).utf8))
        let e = error { try Comparison.run(basePath: path, newPath: path) }
        #expect(e?.line == 3)
        #expect(e?.reason.contains("verdict value") == true)
    }

    @Test func aByteThatIsNotUTF8IsNamedByLineAndColumn() throws {
        var bytes = Array(ResultsCSV.encode([makeRow(value: 1), makeRow(repetition: 1, value: 2)]).utf8)
        let secondLineStart = bytes.firstIndex(of: UInt8(ascii: "\n"))! + 1
        let thirdLineStart = bytes[secondLineStart...].firstIndex(of: UInt8(ascii: "\n"))! + 1
        bytes[thirdLineStart + 2] = 0xFF
        let path = try write("bad.csv", bytes)
        let e = error { try ResultsFileReader.read(path) }
        #expect(e?.line == 3)
        #expect(e?.reason.contains("column 3") == true)
    }

    @Test func aDirectoryIsNamedAsOne() {
        let e = error { try ResultsFileReader.read(directory.path) }
        #expect(e?.description == "\(directory.path): cannot read: Is a directory")
    }

    @Test func devNullIsAnEmptyFileNotAPermissionProblem() {
        let e = error { try ResultsFileReader.read("/dev/null") }
        #expect(e?.reason.contains("empty file") == true)
    }
}
