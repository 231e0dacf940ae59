import Foundation
import PackagePlugin

/// Records the commit the binary is built from (short hash, `+dirty` when tracked files differ
/// from it, `unknown` outside a git checkout) in a generated Swift file, so `bench` never asks
/// git at run time and reports the build's commit, not the one of the current directory.
/// A prebuild command runs on every `swift build`, `swift run` and `swift test`, and rewrites the
/// file only when the text changes (no needless recompilation).
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
        return [
            .prebuildCommand(
                displayName: "Recording the build's git commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output),
        ]
    }
}
