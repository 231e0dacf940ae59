import Foundation
import Results

/// A release build of `bench` for one side of `bench ab`.
///
/// A commit is built in one persistent git worktree, `.build-ab/tree`, checked out at each commit
/// in turn (so consecutive builds are incremental), and its binary copied to
/// `.build-ab/bin/<commit>/bench`: the cache, keyed by the full commit id. The working tree is
/// built where it is (its own `.build`) and copied to `.build-ab/bin/worktree/bench` every time,
/// so a rebuild during the run cannot change the binary under it.
struct RevisionBuild: Sendable {
    /// What the report calls this side.
    var label: String
    /// Full commit id; for the working tree, HEAD's.
    var commit: String
    var dirty: Bool
    var binary: String
    var fromCache: Bool

    enum Failure: Error, CustomStringConvertible {
        case notARevision(String)
        case buildFailed(revision: String, lastLine: String)
        case git(String)
        var description: String {
            switch self {
            case .notARevision(let r): "'\(r)' is not a commit of this repository"
            case .buildFailed(let r, let l): "release build of \(r) failed: \(l)"
            case .git(let m): "git: \(m)"
            }
        }
    }

    static let buildTimeout = 3600.0
    static let gitTimeout = 120.0

    static func repositoryRoot() async throws -> String {
        let r = try await ChildProcess.run("git", ["rev-parse", "--show-toplevel"], timeoutSeconds: gitTimeout)
        guard r.succeeded else { throw Failure.git("not inside a git repository (\(r.lastLine))") }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func resolve(_ revision: String, root: String) async throws -> String {
        let r = try await ChildProcess.run("git", ["-C", root, "rev-parse", "--verify", "--quiet", "\(revision)^{commit}"],
                                           timeoutSeconds: gitTimeout)
        guard r.succeeded else { throw Failure.notARevision(revision) }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A binary given on the command line: no commit, never appended to a history.
    static func prebuilt(_ path: String) -> RevisionBuild {
        // Children start in their own directories: a relative path must not depend on the cwd.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return RevisionBuild(label: path, commit: unknownCommit, dirty: true, binary: absolute, fromCache: true)
    }
    /// A prebuilt binary's commit, as far as ab knows.
    static let unknownCommit = "unknown"

    /// Builds (or finds in the cache) `revision`, or the working tree when nil.
    static func prepare(_ revision: String?, root: String, cache: String,
                        log: @escaping @Sendable (String) -> Void) async throws -> RevisionBuild {
        let fm = FileManager.default
        guard let revision else {
            let head = try await resolve("HEAD", root: root)
            let status = try await ChildProcess.run("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"],
                                                    timeoutSeconds: gitTimeout)
            let dirty = !status.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            log("building the working tree (\(head.prefix(12))\(dirty ? "+dirty" : "")) in release")
            try await build(in: root, revision: "the working tree")
            let binary = try install(root + "/.build/release/bench", as: cache + "/bin/worktree")
            return RevisionBuild(label: "working tree \(head.prefix(12))\(dirty ? "+dirty" : "")", commit: head,
                                 dirty: dirty, binary: binary, fromCache: false)
        }
        let commit = try await resolve(revision, root: root)
        let label = revision == commit || revision.count >= 12 && commit.hasPrefix(revision)
            ? String(commit.prefix(12)) : "\(revision) (\(commit.prefix(12)))"
        let cached = "\(cache)/bin/\(commit)/bench"
        if fm.isExecutableFile(atPath: cached) {
            return RevisionBuild(label: label, commit: commit, dirty: false, binary: cached, fromCache: true)
        }
        let tree = cache + "/tree"
        let checkout: ChildProcess.Result
        if fm.fileExists(atPath: tree + "/.git") {
            checkout = try await ChildProcess.run("git", ["-C", tree, "checkout", "--quiet", "--detach", "--force", commit],
                                                  timeoutSeconds: gitTimeout)
        } else {
            try? fm.createDirectory(atPath: cache, withIntermediateDirectories: true)
            checkout = try await ChildProcess.run("git", ["-C", root, "worktree", "add", "--quiet", "--detach", tree, commit],
                                                  timeoutSeconds: gitTimeout)
        }
        guard checkout.succeeded else { throw Failure.git("cannot check out \(commit.prefix(12)) in \(tree): \(checkout.lastLine)") }
        log("building \(label) in release (\(tree))")
        try await build(in: tree, revision: label)
        let binary = try install(tree + "/.build/release/bench", as: "\(cache)/bin/\(commit)")
        return RevisionBuild(label: label, commit: commit, dirty: false, binary: binary, fromCache: false)
    }

    static func build(in directory: String, revision: String) async throws {
        let r = try await ChildProcess.run("swift", ["build", "-c", "release", "--product", "bench"], in: directory,
                                           timeoutSeconds: buildTimeout)
        guard r.succeeded else {
            let error = r.output.split(separator: "\n").first { $0.contains("error:") }.map(String.init) ?? r.lastLine
            throw Failure.buildFailed(revision: revision, lastLine: error)
        }
    }

    /// Copies the binary into `directory/bench` through a temporary name, so the cache never holds a partial binary.
    static func install(_ built: String, as directory: String) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let final = directory + "/bench", tmp = directory + "/bench.tmp.\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.copyItem(atPath: built, toPath: tmp)
        guard rename(tmp, final) == 0 else { throw Failure.git("cannot install \(final)") }
        return final
    }

    /// Committer date of the commit, for the history's file names.
    static func commitDate(_ commit: String, root: String) async throws -> Date {
        let r = try await ChildProcess.run("git", ["-C", root, "show", "-s", "--format=%ct", commit], timeoutSeconds: gitTimeout)
        guard r.succeeded, let seconds = Double(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure.git("no commit date for \(commit.prefix(12))")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
