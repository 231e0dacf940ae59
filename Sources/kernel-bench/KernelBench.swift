// kernel-bench: the kernel's bpf_mem_alloc measured on its own, in the style of the bpf
// selftests' bench (one pinned producer per CPU, warm-up, then "mean ± stddev" per case).
// `bench --strategy kernel,...` runs the same cases inside the model's runner.
import ArgumentParser
import Foundation
import KernelAllocator

@main
struct KernelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel-bench",
        abstract: "The running kernel's bpf_mem_alloc and the lifetime policies in BPF, measured on their own.",
        discussion: """
            Each subcommand loads its BPF programs (compiled on first use with clang -target bpf against this \
            kernel's BTF) and runs them with BPF_PROG_TEST_RUN on CPUs 0 and 1. Exit status: 0 done, 64 usage, \
            69 BPF programs cannot be loaded here (the line says why), 70 a measurement failed.
            """,
        subcommands: [MatrixCommand.self, GapCommand.self, TeardownCommand.self, StrategiesCommand.self, KillCommand.self,
                      InterleavedCommand.self, WalkCommand.self, NativeCommand.self],
        defaultSubcommand: MatrixCommand.self)

    /// Errors print one line on stderr and exit with a sysexits code; help prints in full.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let line = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
            fail(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line, code.rawValue)
        }
    }
}

/// The options every subcommand has.
struct SharedOptions: ParsableArguments {
    @Option(help: "Object size in bytes, 1…4088.")
    var size = 64

    func validate() throws {
        guard (1...4088).contains(size) else { throw ValidationError("--size must be 1…4088, got \(size)") }
    }

    /// The BPF build of this kernel, after the one-line header; exit 69 with the reason when
    /// this machine cannot load BPF programs.
    func prepare() -> BPFBuild {
        let environment = KernelEnvironment.current()
        do { try environment.check() } catch { fail(error.description, 69) }
        print("kernel \(environment.kernelRelease), object size \(size) B, CPUs 0-1")
        return BPFBuild(environment: environment)
    }
}

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data("kernel-bench: \(message)\n".utf8))
    exit(code)
}

/// A positive integer option's check (ValidationError: one line, exit 64).
func positive(_ value: Int, _ name: String, max: Int = 1 << 30) throws {
    guard value >= 1 && value <= max else { throw ValidationError("--\(name) must be 1…\(max), got \(value)") }
}
