import ArgumentParser
import Glibc
import Results

/// `bench`: measures how BPF allocator lifetime strategies cost, before and after the kill.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure BPF allocator lifetime strategies over one per-CPU allocator core, before and after the kill.",
        discussion: """
            The four answers of the Aug 2022 bpf thread (atomic, percpu-ref, lazy used_allocators, kmem-cache), \
            the design that landed (global) and Kumar's hybrid, driven by pinned per-CPU workers through the \
            phases live → kill → post-kill → drain → teardown (kernel subjects: then their pair interleaved in \
            time); `bench scenarios` replays the thread's lifetime \
            hazards against every strategy (safe / leak / use-after-free). `bench list` names every strategy, \
            workload, scenario and metric.
            """,
        subcommands: [RunCommand.self, ListCommand.self, CompareCommand.self, ScenariosCommand.self, AbCommand.self, HistoryCommand.self,
                      FootprintCommand.self, ReportCommand.self, AnatomyCommand.self],
        defaultSubcommand: RunCommand.self)

    /// Errors print one line on stderr and exit with a sysexits code; help prints in full.
    static func main() {
        // A closed stdout pipe is an error to report (exit 74), not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
            StandardOutput.flush()
        } catch {
            // A command's own one-line error (thrown out of run() or validate()): its sysexits code, not 1.
            if let e = error as? BenchError {
                StandardOutput.flush()
                e.exit()
            }
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                StandardOutput.flush()
                Glibc.exit(0)
            }
            // A lost report outranks the exit status the command chose (compare's 2).
            StandardOutput.flush()
            let message = Self.message(for: error)
            if !message.isEmpty {
                let line = message.split(separator: "\n").first.map(String.init) ?? message
                fputs("bench: \(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line)\n", stderr)
            }
            Glibc.exit(code.rawValue)
        }
    }
}

/// sysexits(3) codes used by every subcommand.
enum SysExit {
    /// `bench scenarios`: a verdict differs from the expectation table (like compare's regression).
    static let verdictMismatch: Int32 = 2
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    static let cantCreate: Int32 = 73
    /// The report could not be written to stdout.
    static let ioError: Int32 = 74
    static let interrupted: Int32 = 130
}

/// A one-line error with its sysexits code.
struct BenchError: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
    static func usage(_ m: String) -> BenchError { BenchError(message: m, code: SysExit.usage) }
}

extension BenchError {
    /// Prints the line and exits with the code (ArgumentParser would add usage text). The
    /// message is kept on one line: a newline or other control character inside it (a quoted
    /// CSV field) is shown escaped.
    func exit() -> Never {
        fputs("bench: \(BenchError.oneLine(message))\n", stderr)
        Glibc.exit(code)
    }
}

extension BenchError {
    /// `text` with CR, LF, tab and other control characters escaped (`\n`), so an error stays one line.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
