import CPlatform
import Foundation

/// What the numbers depend on that a CPU model string hides: the same code measured 12.49 ns
/// per atomic pair on one host and 4.57 ns on another, both "AMD EPYC". Read from /proc/cpuinfo,
/// sysfs and CPUID; `root` lets tests inject a machine's files.
public struct HostHardware: Sendable, Equatable, CustomStringConvertible {
    public var vendor: String
    public var family: Int?
    public var model: Int?
    public var stepping: Int?
    public var modelName: String
    public var microcode: String?
    /// The hypervisor's CPUID signature ("KVMKVMKVM", "Microsoft Hv", …), nil on bare metal.
    public var hypervisor: String?
    /// For the CPUs measured: which cache levels they share, SMT siblings among them.
    public var sharing: CacheSharing?

    public struct CacheSharing: Sendable, Equatable {
        public var cpus: [Int]
        /// Cache levels (1, 2, 3) whose shared_cpu_list contains every measured CPU.
        public var sharedLevels: [Int]
        /// Whether two of the measured CPUs are SMT siblings (one core).
        public var smtSiblings: Bool
        /// The machine has SMT at all (some CPU has a sibling).
        public var smt: Bool
    }

    /// The microarchitecture a vendor/family/model means, where known ("Zen 3").
    public var microarchitecture: String? {
        guard let f = family, let m = model else { return nil }
        return Self.microarchitecture(vendor: vendor, family: f, model: m)
    }

    /// One line for report headers and the CSV's `cpu_model` column.
    public var description: String {
        var parts: [String] = []
        var id = vendor
        if let f = family, let m = model {
            id += " family \(f) model \(m)" + (stepping.map { " stepping \($0)" } ?? "")
        }
        if let u = microarchitecture { id += " (\(u))" }
        parts.append(id)
        if let mc = microcode { parts.append("microcode \(mc)") }
        parts.append(hypervisor.map { "guest of \($0)" } ?? "no hypervisor")
        if let s = sharing, s.cpus.count >= 2 {
            let levels = s.sharedLevels.filter { $0 >= 2 }
            let shared = levels.isEmpty ? "share no L2/L3" : "share " + levels.map { "L\($0)" }.joined(separator: "+")
            parts.append("CPUs \(CPUList.format(s.cpus)) \(shared)" + (s.smtSiblings ? ", SMT siblings" : ""))
        }
        if let s = sharing { parts.append(s.smt ? "SMT on" : "no SMT") }
        return "\(modelName) [\(parts.joined(separator: "; "))]"
    }

    /// Reads the machine (`root` "/" in production; a directory tree with proc/ and sys/ in tests).
    public static func detect(cpus: [Int], root: String = "/", cpuid: Bool = true) -> HostHardware {
        let info = (try? String(contentsOfFile: root + "proc/cpuinfo", encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        var flags: [Substring] = []
        for line in info.split(separator: "\n") {
            if line.isEmpty { break }  // the first processor's block is enough
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = value }
            if key == "flags" { flags = value.split(separator: " ") }
        }
        var hw = HostHardware(vendor: fields["vendor_id"] ?? "unknown", family: fields["cpu family"].flatMap { Int($0) },
                              model: fields["model"].flatMap { Int($0) }, stepping: fields["stepping"].flatMap { Int($0) },
                              modelName: fields["model name"] ?? "unknown", microcode: fields["microcode"], hypervisor: nil,
                              sharing: nil)
        if flags.contains("hypervisor") {
            hw.hypervisor = (cpuid ? hypervisorSignature() : nil) ?? "a hypervisor"
        }
        hw.sharing = cacheSharing(cpus: cpus, root: root)
        return hw
    }

    /// CPUID leaf 0x40000000: the hypervisor's 12-byte signature in ebx, ecx, edx.
    static func hypervisorSignature() -> String? {
        var r: [UInt32] = [0, 0, 0, 0]
        guard CPlatform_cpuid(0x4000_0000, &r) == 0 else { return nil }
        var bytes: [UInt8] = []
        for word in [r[1], r[2], r[3]] { for i in 0..<4 { bytes.append(UInt8((word >> (8 * UInt32(i))) & 0xff)) } }
        let s = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return s.isEmpty ? nil : s
    }

    static func cacheSharing(cpus: [Int], root: String) -> CacheSharing? {
        guard let first = cpus.first else { return nil }
        let base = root + "sys/devices/system/cpu/"
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: base + path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var shared: [Int] = []
        for index in 0..<8 {
            guard let levelText = read("cpu\(first)/cache/index\(index)/level"), let level = Int(levelText) else { continue }
            if read("cpu\(first)/cache/index\(index)/type") == "Instruction" { continue }
            guard let list = read("cpu\(first)/cache/index\(index)/shared_cpu_list"), let members = try? CPUList.parse(list) else { continue }
            if cpus.allSatisfy(members.contains) && !shared.contains(level) { shared.append(level) }
        }
        var smt = false, siblings = false
        for cpu in cpus {
            guard let list = read("cpu\(cpu)/topology/thread_siblings_list"), let members = try? CPUList.parse(list) else { continue }
            if members.count > 1 { smt = true }
            if cpus.contains(where: { $0 != cpu && members.contains($0) }) { siblings = true }
        }
        if !smt, let active = read("smt/active") { smt = active == "1" }
        return CacheSharing(cpus: cpus, sharedLevels: shared.sorted(), smtSiblings: siblings, smt: smt)
    }

    /// Known microarchitectures by vendor, family and model (AMD's family 0x17/0x19/0x1a model
    /// ranges, Intel family 6 server and client models).
    static func microarchitecture(vendor: String, family f: Int, model m: Int) -> String? {
        if vendor == "AuthenticAMD" {
            switch (f, m) {
            case (0x17, 0x00...0x0f): return "Zen / Zen+"
            case (0x17, 0x30...0x3f), (0x17, 0x60...0x7f), (0x17, 0x90...0x9f): return "Zen 2"
            case (0x17, _): return "Zen 2"
            case (0x19, 0x00...0x0f), (0x19, 0x20...0x2f), (0x19, 0x50...0x5f): return "Zen 3"
            case (0x19, 0x40...0x4f): return "Zen 3+"
            case (0x19, 0x10...0x1f), (0x19, 0x60...0x7f), (0x19, 0xa0...0xaf): return "Zen 4"
            case (0x1a, _): return "Zen 5"
            default: return nil
            }
        }
        if vendor == "GenuineIntel" && f == 6 {
            switch m {
            case 0x55: return "Skylake-SP / Cascade Lake"
            case 0x6a, 0x6c: return "Ice Lake-SP"
            case 0x8f: return "Sapphire Rapids"
            case 0xcf: return "Emerald Rapids"
            case 0xad, 0xae: return "Granite Rapids"
            case 0xaf: return "Sierra Forest"
            case 0x4f, 0x56: return "Broadwell"
            case 0x3f: return "Haswell-EP"
            case 0x8e, 0x9e: return "Kaby / Coffee Lake"
            case 0x97, 0x9a: return "Alder Lake"
            case 0xb7, 0xba, 0xbf: return "Raptor Lake"
            default: return nil
            }
        }
        return nil
    }
}
