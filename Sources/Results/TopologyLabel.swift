/// The machine shape an `own` row was measured on, as its `workload` column names it
/// (`256cpu-8node`): written and read here only, so the ownership rows carry a real CPU and
/// node count rather than text a report must pick apart.
public struct TopologyLabel: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let cpus: Int
    public let nodes: Int

    public init(cpus: Int, nodes: Int) {
        self.cpus = cpus
        self.nodes = nodes
    }

    /// The label of a `workload` column, or nil for a column that is not one.
    public init?(workloadColumn text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].hasSuffix("cpu"), parts[1].hasSuffix("node"),
              let c = Int(parts[0].dropLast(3)), let n = Int(parts[1].dropLast(4)) else { return nil }
        self.init(cpus: c, nodes: n)
    }

    public var description: String { "\(cpus)cpu-\(nodes)node" }
    /// Fewest CPUs first.
    public static func < (a: TopologyLabel, b: TopologyLabel) -> Bool { (a.cpus, a.nodes) < (b.cpus, b.nodes) }
}
