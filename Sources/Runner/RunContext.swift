import BuildInfo
import Foundation
import Platform
import Reports
import Results

/// What every result row carries about the run: where, what, how it was built.
public struct RunContext: Sendable {
    public var runID: String
    public var timestamp: String
    public var commit: String
    public var host: String
    /// The CPU model string with what it hides (`HostHardware`): vendor, family/model/stepping
    /// and microarchitecture, microcode, hypervisor, cache sharing and SMT of the measured CPUs.
    public var cpuModel: String
    public var kernel: String
    public var swift: String
    public var build: String
    public var nodes: Int
    public var onlineCPUs: String
    public var command: String

    public static func detect(topology: Topology, command: String) -> RunContext {
        let now = Date()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        let commit = buildCommit
        return RunContext(
            runID: uniqueRunID(date: now, commit: commit),
            timestamp: iso.string(from: now), commit: commit, host: hostName(),
            cpuModel: HostHardware.detect(cpus: Array(topology.cpus.map(\.id).prefix(64))).description,
            kernel: kernelRelease(), swift: swiftVersion, build: BuildConfiguration.current.description,
            nodes: topology.nodes.count, onlineCPUs: CPUList.format(topology.cpus.map(\.id)), command: command)
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return String(cString: buf)
    }

    static func kernelRelease() -> String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    /// The commit the binary was built from (`+dirty` when tracked files differed from it), or
    /// `unknown`: recorded at build time (Plugins/BuildCommit), so no git runs here.
    public static var buildCommit: String { BuildInfo.commit }

    /// `<UTC second>-<commit>-<pid>-<random>`: two runs started in the same second in one
    /// directory still get different ids (and the file writer never replaces a file anyway).
    static func uniqueRunID(date: Date, commit: String) -> String {
        let stamp = DateFormatter()
        stamp.locale = Locale(identifier: "en_US_POSIX")
        stamp.timeZone = TimeZone(identifier: "UTC")
        stamp.dateFormat = "yyyyMMdd-HHmmss"
        // 32 random bits: with 16, two runs of one second and one pid collided about once in 50
        // (the birthday bound), and the id names the result files.
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        let suffix = String(repeating: "0", count: 8 - random.count) + random
        return "\(stamp.string(from: date))-\(commit.prefix(7))-\(getpid())-\(suffix)"
    }

    static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4+"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "<6.2"
        #endif
    }
}

/// How the measured code was compiled. The measured modules carry `-O` in every SwiftPM
/// configuration (Package.swift), so a plain `swift run bench` measures optimized code; the
/// runner refuses to measure if that ever stops being true.
public enum BuildConfiguration: Sendable, CustomStringConvertible {
    case release
    /// `swift run` default configuration, measured modules still optimized.
    case debugConfigurationOptimizedModules
    /// Measured code without optimization: numbers would be meaningless.
    case unoptimized

    public static var current: BuildConfiguration {
        if _isDebugAssertConfiguration() { return .unoptimized }
        #if DEBUG
        return .debugConfigurationOptimizedModules
        #else
        return .release
        #endif
    }

    public var description: String {
        switch self {
        case .release: return "release"
        case .debugConfigurationOptimizedModules: return "debug-config,-O"
        case .unoptimized: return "unoptimized"
        }
    }
}

extension RunDescription {
    /// The header of a report of this run: its context, `runID` (default the run's), settings and notes.
    public init(context: RunContext, runID: String? = nil, settings: String, notes: [String]) {
        self.init(runID: runID ?? context.runID, command: context.command, host: context.host, cpuModel: context.cpuModel,
                  cpus: context.onlineCPUs, nodes: context.nodes, kernel: context.kernel, swift: context.swift,
                  build: context.build, commit: context.commit, timestamp: context.timestamp, settings: settings, notes: notes)
    }
}

extension RunContext {
    /// A row carrying this run's context columns, for rows built outside the runner.
    public var rowTemplate: ResultRow {
        ResultRow.context(runID: runID, timestamp: timestamp, commit: commit, host: host, cpuModel: cpuModel, kernel: kernel,
                          swift: swift, build: build)
    }
}
