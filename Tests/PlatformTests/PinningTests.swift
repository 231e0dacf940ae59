import Glibc
import Testing
@testable import Platform

@Suite(.tags(.concurrent)) struct PinningTests {
    @Test func pinsOneThreadPerOnlineCPUAndVerifies() throws {
        let cpus = Topology.current().cpus.map(\.id)
        let observed = UnsafeMutablePointer<Int>.allocate(capacity: cpus.count)
        defer { observed.deallocate() }
        try PinnedThread.run(on: cpus) { index, _ in observed[index] = Pinning.currentCPU() }
        for (i, cpu) in cpus.enumerated() { #expect(observed[i] == cpu) }
    }

    @Test func aFailedPinIsAnErrorAndTheBodyDoesNotRun() {
        var ran = false
        #expect(throws: PlatformError.self) {
            try PinnedThread.run(on: [4000]) { _, _ in ran = true }
        }
        #expect(!ran)
    }

    @Test func tscTicksAndOverheadAreSane() {
        let perNs = TimeStampCounter.measureTicksPerNanosecond(milliseconds: 10)
        #expect(perNs > 0.1 && perNs < 10)
        #expect(TimeStampCounter.measureOverheadTicks(samples: 1000) < 100_000)
    }

    @Test func libnumaMemoryIsOnTheRequestedNode() throws {
        let t = Topology.current()
        let memory = NodeMemory(for: t)
        let node = t.cpus[0].node
        let p = try memory.allocate(bytes: 1 << 16, node: node)
        defer { memory.free(p, bytes: 1 << 16) }
        if memory.source == .libnuma, let actual = NodeMemory.nodeOfPage(p) {
            #expect(actual == node)
        }
    }
}
