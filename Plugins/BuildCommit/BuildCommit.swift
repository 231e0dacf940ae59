import Foundation
import PackagePlugin

/// Records the commit the binary is built from (short hash, `+dirty` when tracked files differ
/// from it, `unknown` outside a git checkout) in a generated Swift file, so `bench` never asks
/// git at run time and reports the build's commit, not the one of the current directory.
/// A build command whose inputs are every source file of the package and git's HEAD, index and
/// the branch's ref: it runs whenever one of them changed since the file was written (a commit,
/// a checkout, an edit, reverting an edit), and rewrites the file only when the text changes
/// (no needless recompilation). A prebuild command did not do: SwiftPM runs those only when it
/// plans the build again, so an edit, a revert or a commit left a stale stamp.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        // Bounded waits: a wedged git (locks, network filesystems) must not hang the build.
        let script = #"""
            dir=$1 out=$2
            mkdir -p "$out" || exit 1
            t=""; command -v timeout >/dev/null 2>&1 && t="timeout 20"
            commit=unknown
            if command -v git >/dev/null 2>&1 && head=$($t git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null) && [ -n "$head" ]; then
                commit=$head
                changes=$($t git --no-optional-locks -C "$dir" status --porcelain --untracked-files=no 2>/dev/null) || changes=""
                [ -n "$changes" ] && commit="$commit+dirty"
            fi
            text="// Generated at build time by the BuildCommit plugin; not in git.
            extension BuildInfo { public static let commit = \"$commit\" }"
            file="$out/BuildCommit.generated.swift"
            if [ ! -f "$file" ] || [ "$(cat "$file")" != "$text" ]; then printf '%s\n' "$text" > "$file.new" && mv "$file.new" "$file"; fi
            """#
        let sources = context.package.targets.compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url) }
        return [
            .buildCommand(
                displayName: "Recording the build's git commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                inputFiles: sources + Self.gitState(of: context.package.directoryURL),
                outputFiles: [output.appendingPathComponent("BuildCommit.generated.swift")]),
        ]
    }

    /// The files git changes on a commit, checkout or add: HEAD, the index, the branch's ref and
    /// packed-refs, found through a worktree's `.git` file too. Only those that exist.
    static func gitState(of package: URL) -> [URL] {
        let fm = FileManager.default
        var gitDir = package.appendingPathComponent(".git")
        if let text = try? String(contentsOf: gitDir, encoding: .utf8), text.hasPrefix("gitdir: ") {
            let path = text.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appendingPathComponent(path)
        }
        var common = gitDir
        if let text = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            common = path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDir.appendingPathComponent(path)
        }
        var files = [gitDir.appendingPathComponent("HEAD"), gitDir.appendingPathComponent("index"),
                     common.appendingPathComponent("packed-refs")]
        if let head = try? String(contentsOf: files[0], encoding: .utf8), head.hasPrefix("ref: ") {
            files.append(common.appendingPathComponent(head.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return files.filter { fm.fileExists(atPath: $0.path) }
    }
}
