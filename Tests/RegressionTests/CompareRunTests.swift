import Foundation
import Results
import Testing
@testable import Regression

/// `Comparison.run`: what `bench compare` does between parsing and printing.
struct CompareRunTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("compare-run-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func csv(_ values: [Double], metric: Metric = .nsPerOp) -> String {
        ResultsCSV.encode(values.enumerated().map { makeRow(repetition: $0, metric: metric, value: $1) })
    }

    static let values: [Double] = [50, 50.4, 49.6, 50.2, 49.8, 50.1, 49.9, 50.3, 49.7, 50.05]

    @Test func sameFileExitsZero() throws {
        let path = try write("a.csv", csv(Self.values))
        let outcome = try Comparison.run(basePath: path, newPath: path)
        #expect(outcome.exitStatus == .noRegression)
        #expect(outcome.comparison.cases[0].test!.pValue == 1)
    }

    @Test func regressionExitsTwo() throws {
        let base = try write("base.csv", csv(Self.values))
        let new = try write("new.csv", csv(Self.values.map { $0 * 1.1 }))
        let outcome = try Comparison.run(basePath: base, newPath: new, format: .md)
        #expect(outcome.exitStatus == .regression)
        #expect(outcome.exitStatus.rawValue == 2)
        #expect(outcome.report.contains("| regressed |"))
        // The reverse is an improvement: exit 0.
        #expect(try Comparison.run(basePath: new, newPath: base).exitStatus == .noRegression)
    }

    @Test func malformedInputThrowsWithFileAndLine() throws {
        let base = try write("base.csv", csv(Self.values))
        let broken = try write("broken.csv", csv(Self.values).replacingOccurrences(of: ",3,ns_per_op,", with: ",3,ns_per_op,x,"))
        #expect(throws: ResultsCSVError(file: broken, line: 5, reason: "expected 19 fields, found 20")) {
            try Comparison.run(basePath: base, newPath: broken)
        }
        #expect(CompareExitStatus.dataError.rawValue == 65)
        #expect(CompareExitStatus.usage.rawValue == 64)
    }
}
