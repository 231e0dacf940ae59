import Foundation
import Glibc
import Results
import Testing
@testable import Results

/// The result files of a run appear together or not at all, and never replace a file.
/// A class so each test removes its directory when it ends (deinit).
final class AtomicFileWriterTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-writer-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }
    func contents(_ name: String) -> String? { try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) }

    @Test func writesEveryFileAndNoTemporary() throws {
        try AtomicFileWriter.write([(directory + "/r.csv", "a\n"), (directory + "/r.md", "b\n")])
        #expect(names() == ["r.csv", "r.md"])
        #expect(contents("r.csv") == "a\n")
    }

    @Test func anExistingFileIsNeverReplaced() throws {
        try AtomicFileWriter.write([(directory + "/r.csv", "first\n")])
        #expect(throws: AtomicFileWriter.Failure.self) {
            try AtomicFileWriter.write([(directory + "/r.md", "second\n"), (directory + "/r.csv", "second\n")])
        }
        #expect(contents("r.csv") == "first\n")
        #expect(names() == ["r.csv"], "the md of the failed set must be removed too")
    }

    /// A planted publish failure midway (the JSON's name is a directory): none of the set stays.
    @Test func aFailureMidwayRemovesWhatWasPublished() throws {
        #expect(mkdir(directory + "/r.json", 0o755) == 0)
        let files = ["csv", "md", "json", "txt"].map { (directory + "/r.\($0)", "x\n") }
        #expect(throws: AtomicFileWriter.Failure.self) { try AtomicFileWriter.write(files) }
        #expect(names() == ["r.json"])
    }

    @Test func theSamePathTwiceIsRefusedBeforeWriting() {
        #expect(throws: AtomicFileWriter.Failure.self) {
            try AtomicFileWriter.write([(directory + "/r.csv", "a\n"), (directory + "/r.csv", "a\n")])
        }
        #expect(names().isEmpty)
    }

    /// A SIGKILL mid-write leaves `.<file>.memalloc-bench-tmp.<pid>.<token>`: the next run
    /// removes it when the pid is gone. Every other name is the user's, whatever it looks like.
    @Test func staleTemporariesOfDeadProcessesAreRemovedAndNothingElse() throws {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)  // reaped: no process has this pid now
        let dead = AtomicFileWriter.temporaryPath(for: "old.csv", pid: pid, token: 0xdead_beef)
        let live = AtomicFileWriter.temporaryPath(for: "live.csv", pid: getpid(), token: 7)
        let users = ["keep.csv", "notes.tmp.txt", "notes.tmp.20240101", "backup.tar.tmp.4000000", "old.csv.tmp.\(pid)",
                     ".old.csv.memalloc-bench-tmp.\(pid)", ".x.memalloc-bench-tmp.\(pid).not-hex-token-00",
                     ".memalloc-bench-tmp.\(pid).00000000deadbeef"]
        for name in [dead, live] + users {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8)))
        }
        #expect(dead == ".old.csv.memalloc-bench-tmp.\(pid).00000000deadbeef")
        try AtomicFileWriter.prepare(directory: directory)
        #expect(names() == ([live] + users).sorted())
    }

    @Test func temporariesAreHiddenAndNamedAfterTheTool() {
        let t = AtomicFileWriter.temporaryPath(for: "/r/d/x.csv", pid: 42, token: 1)
        #expect(t == "/r/d/.x.csv.memalloc-bench-tmp.42.0000000000000001")
        #expect(AtomicFileWriter.stalePID(ofTemporary: "x.csv.memalloc-bench-tmp.42.0000000000000001") == nil)
        #expect(AtomicFileWriter.stalePID(ofTemporary: ".x.csv.memalloc-bench-tmp.42.0000000000000001") == 42)
    }
}
