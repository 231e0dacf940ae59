import Foundation
import Glibc

/// What this machine offers the kernel subjects, read once: capabilities, kernel BTF, and the
/// toolchain. `check()` names the first missing piece. Tests build one with a piece removed to
/// exercise the skip path without dropping real privileges.
public struct KernelEnvironment: Sendable {
    /// CapEff from /proc/self/status; nil when unreadable.
    public var effectiveCapabilities: UInt64?
    /// The running kernel's BTF (vmlinux.h is generated from it).
    public var btfPath: String
    public var hasBTF: Bool
    /// clang with a BPF target (clang-19 preferred: clang 14's type tags on `__kptr` fields are
    /// not accepted by this kernel's verifier).
    public var clang: String?
    public var bpftool: String?
    public var kernelRelease: String

    public init(effectiveCapabilities: UInt64?, btfPath: String, hasBTF: Bool, clang: String?, bpftool: String?,
                kernelRelease: String) {
        self.effectiveCapabilities = effectiveCapabilities
        self.btfPath = btfPath
        self.hasBTF = hasBTF
        self.clang = clang
        self.bpftool = bpftool
        self.kernelRelease = kernelRelease
    }

    // Capability bit numbers (include/uapi/linux/capability.h).
    static let capNetAdmin = 12
    static let capSysAdmin = 21
    static let capBPF = 39

    /// The machine as it is. `MEMALLOC_BPF_CLANG` / `MEMALLOC_BPF_BPFTOOL` override the search.
    public static func current() -> KernelEnvironment {
        let env = ProcessInfo.processInfo.environment
        let btf = "/sys/kernel/btf/vmlinux"
        return KernelEnvironment(
            effectiveCapabilities: readEffectiveCapabilities(),
            btfPath: btf,
            hasBTF: access(btf, R_OK) == 0,
            clang: env["MEMALLOC_BPF_CLANG"] ?? findExecutable(["clang-19", "clang-20", "clang-18", "clang"]),
            bpftool: env["MEMALLOC_BPF_BPFTOOL"] ?? findExecutable(["bpftool"]),
            kernelRelease: kernelReleaseString())
    }

    /// Loading tc programs that call bpf_obj_new needs CAP_BPF plus CAP_NET_ADMIN (or
    /// CAP_SYS_ADMIN, which implies both).
    public var canLoadPrograms: Bool {
        guard let caps = effectiveCapabilities else { return false }
        func has(_ bit: Int) -> Bool { caps & (1 << UInt64(bit)) != 0 }
        if has(Self.capSysAdmin) { return true }
        return has(Self.capBPF) && has(Self.capNetAdmin)
    }

    /// The first missing piece, in the order a new user would meet them.
    public func check() throws(KernelUnavailable) {
        guard canLoadPrograms else {
            throw KernelUnavailable(reason: "no CAP_BPF", note: "kernel rows need root or CAP_BPF+CAP_NET_ADMIN (run as root)")
        }
        guard hasBTF else {
            throw KernelUnavailable(reason: "no kernel BTF",
                                    note: "\(btfPath) is missing: the kernel needs CONFIG_DEBUG_INFO_BTF=y")
        }
        guard clang != nil else {
            throw KernelUnavailable(reason: "no clang with a BPF target", note: "install clang-19 (apt-get install clang-19)")
        }
        guard bpftool != nil else {
            throw KernelUnavailable(reason: "no bpftool", note: "install bpftool (apt-get install bpftool) to generate vmlinux.h")
        }
    }

    static func readEffectiveCapabilities() -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            return UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        }
        return nil
    }

    static func findExecutable(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        // bpftool lives in /usr/sbin on Debian, outside a normal user's PATH.
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for name in names {
            for dir in dirs where access("\(dir)/\(name)", X_OK) == 0 { return "\(dir)/\(name)" }
        }
        return nil
    }

    static func kernelReleaseString() -> String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
