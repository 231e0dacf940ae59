import Foundation
import Testing
@testable import Runner

struct RunContextTests {
    /// Two runs started in the same second get different ids (the id names the result files).
    @Test func runIDsOfOneSecondDiffer() {
        let now = Date()
        let ids = Set((0..<50).map { _ in RunContext.uniqueRunID(date: now, commit: "0123456789ab") })
        #expect(ids.count == 50)
        #expect(ids.allSatisfy { $0.contains("-0123456-\(getpid())-") })
    }

    /// The commit is the build's (recorded by the BuildCommit plugin), whatever the current
    /// directory: no git runs at run time.
    @Test func theCommitDoesNotDependOnTheCurrentDirectory() throws {
        let before = FileManager.default.currentDirectoryPath
        defer { FileManager.default.changeCurrentDirectoryPath(before) }
        let commit = RunContext.buildCommit
        #expect(FileManager.default.changeCurrentDirectoryPath("/"))
        #expect(RunContext.detect(topology: .current(), command: "bench").commit == commit)
        #expect(commit == "unknown" || commit.range(of: #"^[0-9a-f]{12}(\+dirty)?$"#, options: .regularExpression) != nil)
    }
}
