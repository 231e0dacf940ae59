import Foundation
import Glibc

/// Compiles the module's `<name>.bpf.c` programs on first use, the libbpf-bootstrap way:
/// `bpftool btf dump file /sys/kernel/btf/vmlinux format c` gives vmlinux.h (2.8 MB on 6.18,
/// so generated, not committed), then `clang -target bpf -g -O2` per program and object size.
/// Results are cached beside the executable (under .build), keyed by a hash of the source and
/// every header it includes from the source directory, the kernel's BTF and the compiler, so a
/// fresh clone, an edited header and a new kernel all just work.
public final class BPFBuild: @unchecked Sendable {
    public let environment: KernelEnvironment
    public let sourceDirectory: String
    public let cacheDirectory: String
    /// clang-19 defaults to -mcpu=v1, where a fetching atomic (`__sync_fetch_and_add` whose
    /// result is used: the strategies' put) does not compile; v3 has the fetch atomics and
    /// cmpxchg. Every program uses the same ISA, so `kernel` and the strategies compare fairly.
    static let cpuFlag = "-mcpu=v3"
    /// Process-wide: two builds (say a test and the runner) must not write one object file.
    private static let lock = NSLock()

    /// The BPF sources: `MEMALLOC_BPF_SOURCES`, else the `bpf` directory beside this file.
    public static var defaultSourceDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["MEMALLOC_BPF_SOURCES"] { return dir }
        return (String(#filePath) as NSString).deletingLastPathComponent + "/bpf"
    }

    /// `MEMALLOC_BPF_CACHE`, else `bpf-objects/` beside the running executable (.build/<config>/).
    public static var defaultCacheDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["MEMALLOC_BPF_CACHE"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/tmp/memalloc-bench"
        return (exe as NSString).deletingLastPathComponent + "/bpf-objects"
    }

    public init(environment: KernelEnvironment, sourceDirectory: String = BPFBuild.defaultSourceDirectory,
                cacheDirectory: String = BPFBuild.defaultCacheDirectory) {
        self.environment = environment
        self.sourceDirectory = sourceDirectory
        self.cacheDirectory = cacheDirectory
    }

    /// The compiled object for `source`, building it if needed.
    public func object(_ source: BPFSource, objectSize: Int) throws(KernelUnavailable) -> String {
        try object(named: source.rawValue, objectSize: objectSize)
    }

    /// The compiled object for `<name>.bpf.c` with `MB_OBJECT_SIZE=objectSize`, building it if
    /// needed (`name`: a `BPFSource`, or a test's own source).
    public func object(named name: String, objectSize: Int) throws(KernelUnavailable) -> String {
        try environment.check()
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let source = "\(sourceDirectory)/\(name).bpf.c"
        guard let program = FileManager.default.contents(atPath: source) else {
            throw KernelUnavailable(reason: "BPF sources not found", note: "expected \(source) (set MEMALLOC_BPF_SOURCES)")
        }
        let kernelDir = try kernelDirectory()
        var hash = FNV1a()
        hash.add(program)
        for header in BPFIncludes.local(of: program, in: sourceDirectory) { hash.add(header) }
        hash.add(Array((environment.clang ?? "").utf8)); hash.add(Array("\(objectSize)".utf8))
        hash.add(Array(Self.cpuFlag.utf8))
        let output = "\(kernelDir)/\(name)-\(objectSize)-\(hash.hex).o"
        if FileManager.default.fileExists(atPath: output) { return output }
        let log = "\(kernelDir)/\(name)-\(objectSize).clang.log"
        let temporary = output + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let status = run(environment.clang!, ["-target", "bpf", Self.cpuFlag, "-g", "-O2", "-D__TARGET_ARCH_x86", "-DMB_OBJECT_SIZE=\(objectSize)",
                                              "-I", kernelDir, "-I", sourceDirectory, "-c", source, "-o", temporary], log: log)
        guard status == 0, rename(temporary, output) == 0 else {
            unlink(temporary)
            throw KernelUnavailable(reason: "\(name).bpf.c did not compile",
                                    note: "\((environment.clang! as NSString).lastPathComponent) failed; its output is in \(log)", logPath: log)
        }
        return output
    }

    /// `<cache>/<kernel release>-<BTF hash>/` holding vmlinux.h for the running kernel.
    private func kernelDirectory() throws(KernelUnavailable) -> String {
        guard let btf = FileManager.default.contents(atPath: environment.btfPath) else {
            throw KernelUnavailable(reason: "no kernel BTF", note: "\(environment.btfPath) is not readable")
        }
        var hash = FNV1a()
        hash.add(btf)
        let dir = "\(cacheDirectory)/\(environment.kernelRelease)-\(hash.hex)"
        let header = "\(dir)/vmlinux.h"
        if FileManager.default.fileExists(atPath: header) { return dir }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw KernelUnavailable(reason: "BPF cache not writable", note: "cannot create \(dir) (set MEMALLOC_BPF_CACHE)")
        }
        let temporary = header + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let log = "\(dir)/bpftool.log"
        let status = run(environment.bpftool!, ["btf", "dump", "file", environment.btfPath, "format", "c"], stdout: temporary, log: log)
        guard status == 0, rename(temporary, header) == 0 else {
            unlink(temporary)
            throw KernelUnavailable(reason: "vmlinux.h not generated", note: "bpftool btf dump failed; see \(log)", logPath: log)
        }
        return dir
    }

    /// Runs a tool to completion; stdout to `stdout` (or the log), stderr to `log`.
    private func run(_ tool: String, _ arguments: [String], stdout: String? = nil, log: String) -> Int32 {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let logHandle = FileHandle(forWritingAtPath: log) else { return -1 }
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = logHandle
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            guard let out = FileHandle(forWritingAtPath: stdout) else { return -1 }
            process.standardOutput = out
        } else {
            process.standardOutput = logHandle
        }
        do { try process.run() } catch {
            if let data = "cannot run \(tool): \(error)\n".data(using: .utf8) { logHandle.write(data) }
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// 64-bit FNV-1a: a cache key, not a security boundary.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    var hex: String { String(value, radix: 16) }
}
