import Foundation
import Results
import Testing
@testable import Regression

struct HistoryStoreTests {
    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "history-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A run of one case with value `v` in three repetitions.
    func run(_ v: Double, id: String) -> [ResultRow] {
        (0..<3).map { makeRow(workload: "batch", op: .free, repetition: $0, metric: .nsPerOp, value: v, runID: id) }
    }

    @Test func runsComeBackInCommitDateOrder() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HistoryStore.append(run(2, id: "r2"), commit: "bbbbbbbbbbbb", commitDate: Date(timeIntervalSince1970: 2_000), to: dir)
        try HistoryStore.append(run(1, id: "r1"), commit: "aaaaaaaaaaaa", commitDate: Date(timeIntervalSince1970: 1_000), to: dir)
        let entries = try HistoryStore.load(directory: dir)
        #expect(entries.map(\.commit) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
        #expect(entries[0].commitDate == "19700101T001640Z")
        #expect(entries[1].rows.allSatisfy { $0.row.commit == "bbbbbbbbbbbb" })
    }

    /// `history add` of one run twice files it once: the second add says where it is.
    @Test func theSameRunIsFiledOnce() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let date = Date(timeIntervalSince1970: 1_000)
        let first = try HistoryStore.append(run(1, id: "r1"), commit: "aaaaaaaaaaaa", commitDate: date, to: dir)
        let second = try HistoryStore.append(run(1, id: "r1"), commit: "aaaaaaaaaaaa", commitDate: date, to: dir)
        guard case .filed(let path) = first else { Issue.record("first add: \(first)"); return }
        #expect(second == .alreadyFiled(path))
        // Another run in the same second (another id, or the same id with other rows) is a run of its own.
        #expect(try HistoryStore.append(run(2, id: "r1"), commit: "aaaaaaaaaaaa", commitDate: date, to: dir).path.hasSuffix("-2.csv"))
        #expect(try HistoryStore.load(directory: dir).count == 2)
        // The same rows claimed for another commit: one run measured one commit.
        #expect(throws: ResultsCSVError.self) {
            try HistoryStore.append(run(1, id: "r1"), commit: "bbbbbbbbbbbb", commitDate: date, to: dir)
        }
        #expect(try HistoryStore.load(directory: dir).count == 2)
    }

    /// The same run with its rows in another order is the same run; four adds of one run at
    /// once file it once (the check and the filing hold one lock on the directory).
    @Test func reorderedOrConcurrentAddsFileARunOnce() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let date = Date(timeIntervalSince1970: 1_000)
        let rows = (0..<3).map { makeRow(workload: "batch", op: .free, repetition: $0, metric: .nsPerOp, value: Double($0 + 1), runID: "r9") }
        let first = try HistoryStore.append(rows, commit: "aaaaaaaaaaaa", commitDate: date, to: dir)
        #expect(try HistoryStore.append(rows.reversed(), commit: "aaaaaaaaaaaa", commitDate: date, to: dir) == .alreadyFiled(first.path))
        let other = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: other) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try? HistoryStore.append(rows, commit: "aaaaaaaaaaaa", commitDate: date, to: other) }
            }
        }
        #expect(try HistoryStore.load(directory: other).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: other).count == 1, "no lock file left")
    }

    @Test func aForeignFileNameIsADataError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/notes.csv", contents: Data())
        #expect(throws: ResultsCSVError.self) { try HistoryStore.load(directory: dir) }
    }

    @Test func theReportMarksTheCommitWhereTheCaseSlowedDown() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SeededGenerator(seed: 2)
        for c in 0..<6 {
            for r in 0..<4 {
                let v = (c < 3 ? 2.0 : 2.2) * (1 + 0.005 * rng.nextGaussian())
                try HistoryStore.append(run(v, id: "c\(c)r\(r)"), commit: "commit\(c)",
                                        commitDate: Date(timeIntervalSince1970: Double(1000 * c)), to: dir)
            }
        }
        let report = try HistoryReport(entries: HistoryStore.load(directory: dir), directory: dir, caseFilter: ["batch"])
        #expect(report.series.count == 1)
        #expect(report.series[0].points.count == 24)
        #expect(report.series[0].changePoints.map(\.index) == [12])
        let text = report.rendered(as: .txt)
        #expect(text.contains("commit3 +10."))
        #expect(text.contains("<- change +10."))
        #expect(report.rendered(as: .csv).contains("\nchange,atomic,batch,live,free,1,64,ns_per_op,ns,12,commit3,"))
    }

    @Test func groupedPointsAreMediansOfConsecutiveRunsOfOneCommit() {
        let p = { (c: String, v: Double) in HistoryReport.Point(commit: c, commitDate: "", file: "", value: v) }
        let grouped = HistoryReport.grouped([p("a", 1), p("a", 9), p("a", 2), p("a", 4), p("b", 5), p("b", 7)], runsPerPoint: 3)
        #expect(grouped.map(\.value) == [2, 4, 6])
        #expect(grouped.map(\.commit) == ["a", "a", "b"])
    }
}
