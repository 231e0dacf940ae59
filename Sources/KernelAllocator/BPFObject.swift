import CLibbpf
import Foundation
import Glibc

/// One loaded BPF object file: libbpf's `bpf_object__open_file` + `bpf_object__load`, its
/// programs and maps by name, and its `.bss` (libbpf maps global data into our memory, so the
/// programs' counters are read without a syscall). Closing it closes every fd it owns.
public final class BPFObject: @unchecked Sendable {
    private var object: OpaquePointer?
    public let name: String
    /// The object file it was loaded from.
    public let path: String
    /// The live `.bss` mapping (nil when the object has no global data).
    let bss: UnsafeRawPointer?
    let bssSize: Int

    /// libbpf's print callback is process-wide: loads are serialized so each log is one object's.
    private static let loadLock = NSLock()

    /// Opens and loads `path`. `maxEntries` resizes maps before load (slot count of the kptr
    /// array, capacity of the hash map); `autoload` limits which programs are loaded (nil: all).
    /// A rejected program throws with the verifier log written to `logPath`.
    public init(path: String, name: String, maxEntries: [BPFMapID: UInt32] = [:], autoload: Set<BPFProgramID>? = nil,
                reuse: [BPFMapID: Int32] = [:], logPath: String) throws(KernelUnavailable) {
        self.name = name
        self.path = path
        Self.loadLock.lock()
        defer { Self.loadLock.unlock() }
        guard LibbpfLog.capture(to: logPath) else {
            throw KernelUnavailable(reason: "cannot write the verifier log", note: "cannot create \(logPath)")
        }
        defer { LibbpfLog.stop() }
        guard let obj = bpf_object__open_file(path, nil) else {
            let e = errno
            throw KernelUnavailable(reason: "\(name) did not open", note: "libbpf could not open \(path): \(String(cString: strerror(e))); log in \(logPath)",
                                    logPath: logPath)
        }
        for (map, entries) in maxEntries {
            guard let m = bpf_object__find_map_by_name(obj, map.symbol), bpf_map__set_max_entries(m, entries) == 0 else {
                bpf_object__close(obj)
                throw KernelUnavailable(reason: "\(name) has no map \(map.symbol)", note: "\(path) does not match its loader")
            }
        }
        for (map, fd) in reuse {
            // The map is not created: the programs bind to the one behind `fd` (a pinned map reopened).
            guard let m = bpf_object__find_map_by_name(obj, map.symbol), bpf_map__reuse_fd(m, fd) == 0 else {
                bpf_object__close(obj)
                throw KernelUnavailable(reason: "\(name) cannot reuse map \(map.symbol)", note: "bpf_map__reuse_fd failed: \(String(cString: strerror(errno)))")
            }
        }
        if let autoload {
            let wanted = Set(autoload.map(\.symbol))
            var prog = bpf_object__next_program(obj, nil)
            while let p = prog {
                bpf_program__set_autoload(p, wanted.contains(String(cString: bpf_program__name(p))))
                prog = bpf_object__next_program(obj, p)
            }
        }
        let rc = bpf_object__load(obj)
        guard rc == 0 else {
            bpf_object__close(obj)
            let reason = Self.loadFailureReason(rc: rc, log: logPath)
            throw KernelUnavailable(reason: reason, note: "\(name): \(String(cString: strerror(-rc))); verifier log in \(logPath)",
                                    logPath: logPath)
        }
        object = obj
        var size = 0
        var found: UnsafeRawPointer?
        var map = bpf_object__next_map(obj, nil)
        while let m = map {
            if String(cString: bpf_map__name(m)).hasSuffix(".bss") {
                // libbpf 1.1 maps the live .bss only for skeletons (bpf_object__load_skeleton);
                // map the BPF_F_MMAPABLE array ourselves, read-only.
                size = Int(bpf_map__value_size(m))
                let length = (size + Int(getpagesize()) - 1) / Int(getpagesize()) * Int(getpagesize())
                if let p = mmap(nil, length, PROT_READ, MAP_SHARED, bpf_map__fd(m), 0), p != MAP_FAILED {
                    found = UnsafeRawPointer(p)
                    mappedLength = length
                }
            }
            map = bpf_object__next_map(obj, m)
        }
        guard found != nil else {
            bpf_object__close(obj)
            object = nil
            throw KernelUnavailable(reason: "\(name) global data not mappable", note: "mmap of the .bss map failed; the kernel lacks BPF_F_MMAPABLE")
        }
        bss = found
        bssSize = size
        // `counters` (memalloc_bench.h) is not always first: strategies.bpf.c has a second global.
        let offset = CLibbpf_bss_offset(obj, BenchHeaderGlobal.counters.rawValue)
        countersOffset = offset >= 0 ? Int(offset) : 0
    }
    /// Where `counters` starts in the mapped .bss.
    let countersOffset: Int

    /// The offset of global variable `global` in .bss, or nil.
    func bssOffset(of global: some BPFGlobalSymbol) -> Int? {
        guard let object else { return nil }
        let offset = CLibbpf_bss_offset(object, global.rawValue)
        return offset >= 0 ? Int(offset) : nil
    }
    private var mappedLength = 0

    /// A rejected kfunc (older kernel) or a verifier rejection, told apart by the log.
    static func loadFailureReason(rc: Int32, log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if text.contains("calling kernel function") || text.contains("kfunc") && text.contains("not") {
            return "kfunc not supported by this kernel"
        }
        if -rc == EPERM { return "not permitted to load BPF programs" }
        return "verifier rejected the program"
    }

    /// The fd of `program`, or -1 (not in this object, or not loaded).
    public func programFD(_ program: BPFProgramID) -> Int32 {
        guard let object, let p = bpf_object__find_program_by_name(object, program.symbol) else { return -1 }
        return bpf_program__fd(p)
    }

    public func programFD(_ program: some BPFProgramSymbol) -> Int32 { programFD(program.id) }

    /// `program` ready for BPF_PROG_TEST_RUN (its fd -1 when the object lacks it).
    func testRun(_ program: BPFProgramID) -> TestRunProgram { TestRunProgram(name: program.symbol, fd: programFD(program)) }

    func testRun(_ program: some BPFProgramSymbol) -> TestRunProgram { testRun(program.id) }

    /// The fd of `map`, or -1.
    public func mapFD(_ map: BPFMapID) -> Int32 {
        guard let object, let m = bpf_object__find_map_by_name(object, map.symbol) else { return -1 }
        return bpf_map__fd(m)
    }

    public func mapFD(_ map: some BPFMapSymbol) -> Int32 { mapFD(map.id) }

    /// Attaches `program` where its section says (raw_tp/<tracepoint>): the link, or why not
    /// (errno). Links close with their fd, so a process that dies detaches them. The
    /// corresponding C function is `bpf_program__attach`.
    public func attach(_ program: some BPFProgramSymbol) -> Result<OpaquePointer, AttachFailure> {
        guard let object, let p = bpf_object__find_program_by_name(object, program.rawValue) else { return .failure(AttachFailure(errno: ENOENT)) }
        guard let link = bpf_program__attach(p) else { return .failure(AttachFailure(errno: errno)) }
        return .success(link)
    }

    /// Detaches a link from `attach`. The corresponding C function is `bpf_link__destroy`.
    public static func detach(_ link: OpaquePointer) { _ = bpf_link__destroy(link) }

    /// Closes every program and map fd of this object (the kernel frees them when nothing
    /// else holds a reference). The corresponding C function is `bpf_object__close`.
    public func close() {
        if let object { bpf_object__close(object) }
        object = nil
    }

    deinit {
        close()
        if let bss, mappedLength > 0 { munmap(UnsafeMutableRawPointer(mutating: bss), mappedLength) }
    }

}

extension BPFObject {
    /// Builds (or takes from the cache) `source` at `objectSize` and loads it; the verifier's
    /// log goes beside the object file as `<object>.<logName>.log`.
    convenience init(_ source: BPFSource, objectSize: Int, build: BPFBuild, maxEntries: [BPFMapID: UInt32] = [:],
                     autoload: Set<BPFProgramID>? = nil, reuse: [BPFMapID: Int32] = [:], logName: String = "verifier") throws(KernelUnavailable) {
        let path = try build.object(source, objectSize: objectSize)
        try self.init(path: path, name: source.rawValue, maxEntries: maxEntries, autoload: autoload, reuse: reuse,
                      logPath: (path as NSString).deletingPathExtension + ".\(logName).log")
    }
}

/// Why a program did not attach.
public struct AttachFailure: Error, Sendable {
    public let errno: Int32
    public var reason: String { String(cString: strerror(errno)) }
}

/// libbpf's warnings (the verifier log among them) go to one file while a load runs.
/// The corresponding C function is `libbpf_set_print`.
enum LibbpfLog {
    nonisolated(unsafe) static var file: UnsafeMutablePointer<FILE>?

    static func capture(to path: String) -> Bool {
        stop()
        guard let f = fopen(path, "w") else { return false }
        file = f
        libbpf_set_print { level, format, arguments in
            guard level != LIBBPF_DEBUG, let f = LibbpfLog.file, let format, let arguments else { return 0 }
            return vfprintf(f, format, arguments)
        }
        return true
    }

    static func stop() {
        libbpf_set_print(nil)
        if let f = file { fclose(f) }
        file = nil
    }
}
