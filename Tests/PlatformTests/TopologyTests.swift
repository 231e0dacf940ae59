import Testing
@testable import Platform

@Suite struct TopologyTests {
    @Test func injectedEightNodeMachine() {
        let t = Topology.synthetic(cpus: 256, nodes: 8)
        #expect(t.cpus.count == 256)
        #expect(t.nodes == Array(0..<8))
        #expect(t.cpuIDLimit == 256)
        #expect(t.nodeIDLimit == 8)
        #expect(t.node(ofCPU: 0) == 0)
        #expect(t.node(ofCPU: 31) == 0)
        #expect(t.node(ofCPU: 32) == 1)
        #expect(t.node(ofCPU: 255) == 7)
        for node in 0..<8 { #expect(t.cpus.filter { $0.node == node }.count == 32) }
        #expect(!t.isReal)
    }

    @Test func resolvesAgainstOnlineCPUs() throws {
        let t = Topology.synthetic(cpus: 256, nodes: 8)
        #expect(try t.resolve(cpuList: "0-3,200") == [0, 1, 2, 3, 200])
        #expect(throws: PlatformError.offlineCPU(256, online: "0-255")) { try t.resolve(cpuList: "255-256") }
    }

    @Test func sparseTopologyIndexesByID() throws {
        let t = Topology(cpus: [.init(id: 0, node: 0), .init(id: 2, node: 1), .init(id: 9, node: 1)])
        #expect(t.cpuIDLimit == 10)
        #expect(t.nodes == [0, 1])
        #expect(throws: PlatformError.offlineCPU(1, online: "0,2,9")) { try t.resolve(cpuList: "0-2") }
        #expect(t.restricted(to: [2, 9]).cpus.map(\.id) == [2, 9])
    }

    @Test func currentMachineHasItsOnlineCPUs() {
        let t = Topology.current()
        #expect(t.isReal)
        #expect(!t.cpus.isEmpty)
        #expect(t.cpus.allSatisfy { $0.node >= 0 })
    }
}
