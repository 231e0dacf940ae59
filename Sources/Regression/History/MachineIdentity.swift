import Results
/// The machine a run measured: its host, CPU model (with the microarchitecture) and kernel, as
/// every row of the run carries them. Runs of two machines never share a history series: a
/// slower machine is not a regression, and a kernel upgrade changes what a run measures too.
public struct MachineIdentity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var host: String
    public var cpuModel: String
    public var kernel: String

    public init(host: String, cpuModel: String, kernel: String) {
        self.host = host
        self.cpuModel = cpuModel
        self.kernel = kernel
    }

    public init(_ row: ResultRow) {
        self.init(host: row.host, cpuModel: row.cpuModel, kernel: row.kernel)
    }

    public static func < (a: MachineIdentity, b: MachineIdentity) -> Bool {
        (a.host, a.cpuModel, a.kernel) < (b.host, b.cpuModel, b.kernel)
    }

    public var description: String { "\(host) (\(cpuModel), kernel \(kernel))" }

    /// Six hex digits of FNV-1a over the three fields: the same in every process and on every
    /// machine (Swift's `Hasher` is seeded per process, so it cannot name anything on disk).
    public var shortHash: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [host, cpuModel, kernel].joined(separator: "\u{0}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash >> 40, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }

    /// Short names for `machines`: the host, or `host-<shortHash>` for every identity whose host
    /// another identity shares (a kernel upgrade, a replaced CPU), so each name picks one machine.
    public static func names(_ machines: some Sequence<MachineIdentity>) -> [MachineIdentity: String] {
        let unique = Set(machines)
        var perHost: [String: Int] = [:]
        for m in unique { perHost[m.host, default: 0] += 1 }
        var names: [MachineIdentity: String] = [:]
        for m in unique {
            let host = m.host.isEmpty ? "unnamed" : m.host
            names[m] = perHost[m.host]! > 1 || m.host.isEmpty ? "\(host)-\(m.shortHash)" : host
        }
        return names
    }
}
