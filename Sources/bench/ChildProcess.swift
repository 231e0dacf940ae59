import Dispatch
import Foundation
import Platform
import Results
import Subprocess
import SystemPackage

/// A child process (git, swift build, a revision's bench) run through swift-subprocess, with a
/// timeout: past it the child is killed (Subprocess's teardown on cancellation) and
/// `ChildProcess.Failure.timedOut` is thrown.
enum ChildProcess {
    struct Result {
        var status: TerminationStatus
        /// Standard output and error together, at most `outputLimit` bytes.
        var output: String
        var succeeded: Bool { status == .exited(0) }
        var exitCode: Int32? { if case .exited(let c) = status { c } else { nil } }
        /// The last non-empty line, for one-line error messages.
        var lastLine: String {
            output.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case timedOut(command: String, seconds: Double)
        case cannotStart(command: String, reason: String)
        var description: String {
            switch self {
            case .timedOut(let c, let s): "\(c): no exit after \(Int(s)) s, killed"
            case .cannotStart(let c, let r): "\(c): cannot start (\(r))"
            }
        }
    }

    static let outputLimit = 8 << 20

    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                    timeoutSeconds: Double) async throws -> Result {
        let name = ([executable] + arguments.prefix(2)).joined(separator: " ")
        let exe: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                do {
                    // Signals to this process go on to the child while it runs (RunInterrupt).
                    defer { RunInterrupt.forward(to: 0) }
                    // Its own process group: a terminal ^C reaches ab only, and ab passes it on once
                    // (twice would be the child's "second signal": exit at once, no cleanup).
                    var options = PlatformOptions()
                    options.processGroupID = 0
                    let r = try await Subprocess.run(exe, arguments: Arguments(arguments),
                                                     workingDirectory: directory.map { FilePath($0) }, platformOptions: options,
                                                     input: .none, output: .string(limit: outputLimit),
                                                     error: .combinedWithOutput) { execution in
                        RunInterrupt.forward(to: execution.processIdentifier.value)
                        // A signal between the spawn and the line above: the child gets it now.
                        if RunInterrupt.isSet { kill(execution.processIdentifier.value, RunInterrupt.signal) }
                    }
                    return Result(status: r.terminationStatus, output: r.standardOutput)
                } catch {
                    throw Failure.cannotStart(command: name, reason: "\(error)")
                }
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(min(timeoutSeconds, 1e9) * 1e9))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let first else { throw Failure.timedOut(command: name, seconds: timeoutSeconds) }
            return first
        }
    }

    /// Runs async work from a synchronous `ParsableCommand.run()`.
    static func blocking<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Carries a result from the task to the blocked thread; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Swift.Result<T, Error>?
}
