import CNuma
import CPlatform
import Glibc

/// Which CPUs exist and which NUMA node each belongs to.
///
/// Real runs read it from libnuma and the process's affinity mask; tests inject any shape
/// (`Topology.synthetic(cpus: 256, nodes: 8)`) so code that must be right on machines we
/// cannot see is exercised here.
public struct Topology: Equatable, Sendable {
    public struct CPU: Equatable, Sendable {
        public let id: Int
        public let node: Int
        public init(id: Int, node: Int) {
            self.id = id
            self.node = node
        }
    }

    /// Online CPUs usable by this process, ascending by id.
    public let cpus: [CPU]
    /// Whether node memory is real libnuma memory (`true`) or simulated for an injected shape.
    public let isReal: Bool

    public init(cpus: [CPU], isReal: Bool = false) {
        precondition(!cpus.isEmpty, "a topology needs at least one CPU")
        self.cpus = cpus.sorted { $0.id < $1.id }
        self.isReal = isReal
    }

    /// An injected machine: `cpus` CPUs spread over `nodes` nodes in contiguous blocks
    /// (CPUs 0..<cpus/nodes on node 0, ...), the usual BIOS enumeration.
    public static func synthetic(cpus: Int, nodes: Int) -> Topology {
        precondition(cpus > 0 && nodes > 0 && nodes <= cpus)
        let perNode = (cpus + nodes - 1) / nodes
        return Topology(cpus: (0..<cpus).map { CPU(id: $0, node: $0 / perNode) })
    }

    /// This machine: CPUs in the affinity mask, nodes from libnuma (node 0 when NUMA is unavailable).
    public static func current() -> Topology {
        var ids = [Int32](repeating: 0, count: 4096)
        let n = ids.withUnsafeMutableBufferPointer { CPlatform_affinity_cpus($0.baseAddress, Int32($0.count)) }
        var online: [Int] = n > 0 ? ids[0..<Int(n)].map(Int.init) : []
        if online.isEmpty { online = Array(0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
        let numa = numa_available() >= 0
        return Topology(
            cpus: online.map { CPU(id: $0, node: numa ? max(0, Int(numa_node_of_cpu(Int32($0)))) : 0) },
            isReal: true)
    }

    /// Distinct node ids, ascending.
    public var nodes: [Int] { Array(Set(cpus.map(\.node))).sorted() }
    /// One more than the highest CPU id: per-CPU arrays are indexed by CPU id, like nr_cpu_ids.
    public var cpuIDLimit: Int { (cpus.map(\.id).max() ?? 0) + 1 }
    /// One more than the highest node id.
    public var nodeIDLimit: Int { (cpus.map(\.node).max() ?? 0) + 1 }

    public func node(ofCPU id: Int) -> Int? { cpus.first { $0.id == id }?.node }

    /// Parses a CPU list and checks every CPU is online here.
    public func resolve(cpuList: String) throws -> [Int] {
        let ids = try CPUList.parse(cpuList)
        let online = Set(cpus.map(\.id))
        for id in ids where !online.contains(id) {
            throw PlatformError.offlineCPU(id, online: CPUList.format(cpus.map(\.id)))
        }
        return ids
    }

    /// A smaller topology holding only `ids` (used when a run is restricted with `--cpus`).
    public func restricted(to ids: [Int]) -> Topology {
        let keep = Set(ids)
        return Topology(cpus: cpus.filter { keep.contains($0.id) }, isReal: isReal)
    }
}
