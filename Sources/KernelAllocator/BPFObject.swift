import CLibbpf
import Foundation
import Glibc

/// One loaded BPF object file: libbpf's `bpf_object__open_file` + `bpf_object__load`, its
/// programs and maps by name, and its `.bss` (libbpf maps global data into our memory, so the
/// programs' counters are read without a syscall). Closing it closes every fd it owns.
public final class BPFObject: @unchecked Sendable {
    private var object: OpaquePointer?
    public let name: String
    /// The live `.bss` mapping (nil when the object has no global data).
    let bss: UnsafeRawPointer?
    let bssSize: Int

    /// libbpf's print callback is process-wide: loads are serialized so each log is one object's.
    private static let loadLock = NSLock()

    /// Opens and loads `path`. `maxEntries` resizes maps before load (slot count of the kptr
    /// array, capacity of the hash map); `autoload` limits which programs are loaded (nil: all).
    /// A rejected program throws with the verifier log written to `logPath`.
    public init(path: String, name: String, maxEntries: [String: UInt32] = [:], autoload: Set<String>? = nil,
                logPath: String) throws(KernelUnavailable) {
        self.name = name
        Self.loadLock.lock()
        defer { Self.loadLock.unlock() }
        guard CLibbpf_capture_log(logPath) == 0 else {
            throw KernelUnavailable(reason: "cannot write the verifier log", note: "cannot create \(logPath)")
        }
        defer { _ = CLibbpf_capture_log(nil) }
        guard let obj = bpf_object__open_file(path, nil) else {
            let e = errno
            throw KernelUnavailable(reason: "\(name) did not open", note: "libbpf could not open \(path): \(String(cString: strerror(e))); log in \(logPath)",
                                    logPath: logPath)
        }
        for (mapName, entries) in maxEntries {
            guard let map = bpf_object__find_map_by_name(obj, mapName), bpf_map__set_max_entries(map, entries) == 0 else {
                bpf_object__close(obj)
                throw KernelUnavailable(reason: "\(name) has no map \(mapName)", note: "\(path) does not match its loader")
            }
        }
        if let autoload {
            var prog = bpf_object__next_program(obj, nil)
            while let p = prog {
                bpf_program__set_autoload(p, autoload.contains(String(cString: bpf_program__name(p))))
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
                found = bpf_map__initial_value(m, &size).map { UnsafeRawPointer($0) }
            }
            map = bpf_object__next_map(obj, m)
        }
        bss = found
        bssSize = size
    }

    /// A rejected kfunc (older kernel) or a verifier rejection, told apart by the log.
    static func loadFailureReason(rc: Int32, log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if text.contains("calling kernel function") || text.contains("kfunc") && text.contains("not") {
            return "kfunc not supported by this kernel"
        }
        if -rc == EPERM { return "not permitted to load BPF programs" }
        return "verifier rejected the program"
    }

    /// The fd of program `name`, or -1.
    public func programFD(_ program: String) -> Int32 {
        guard let object, let p = bpf_object__find_program_by_name(object, program) else { return -1 }
        return bpf_program__fd(p)
    }

    /// The fd of map `name`, or -1.
    public func mapFD(_ map: String) -> Int32 {
        guard let object, let m = bpf_object__find_map_by_name(object, map) else { return -1 }
        return bpf_map__fd(m)
    }

    /// Closes every program and map fd of this object (the kernel frees them when nothing
    /// else holds a reference). The corresponding C function is `bpf_object__close`.
    public func close() {
        if let object { bpf_object__close(object) }
        object = nil
    }

    deinit { close() }
}
