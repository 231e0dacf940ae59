import Platform
import SystemAllocators
import Testing

/// Workers pinned to CPUs allocate and free through the same value, including cross-thread frees.
@Suite struct PinnedThreadsTests {
    /// Up to two CPUs this process may run on (the same one twice on a one-CPU machine).
    static var cpus: [Int] {
        let ids = Topology.current().cpus.map(\.id)
        return ids.count >= 2 ? Array(ids.prefix(2)) : [ids[0], ids[0]]
    }

    /// One slot per worker: what it allocated, for the other worker to free.
    final class Handoff: @unchecked Sendable {
        var objects: [[UnsafeMutableRawPointer]]
        var failures = [Int](repeating: 0, count: 2)
        init() { objects = [[], []] }
    }

    /// Each installed allocator (a missing one is LoadingTests' concern: it must say which package).
    @Test(arguments: SystemAllocatorKind.allCases.filter(isInstalled))
    func allocateOnOneCPUFreeOnTheOther(kind: SystemAllocatorKind) throws {
        let allocator = try #require(installed.allocator(kind))
        let handoff = Handoff()
        let count = 5000, size = 64
        try PinnedThread.run(on: Self.cpus) { index, _ in
            // Same-thread pairs, then a batch kept for the other worker.
            for _ in 0..<count {
                guard let p = allocator.allocate(size: size) else { handoff.failures[index] += 1; continue }
                p.storeBytes(of: UInt64(index), as: UInt64.self)
                allocator.free(p)
            }
            for i in 0..<count {
                guard let p = allocator.allocate(size: size) else { handoff.failures[index] += 1; continue }
                p.storeBytes(of: UInt64(i), as: UInt64.self)
                handoff.objects[index].append(p)
            }
        }
        try PinnedThread.run(on: Self.cpus) { index, _ in
            let other = 1 - index
            for (i, p) in handoff.objects[other].enumerated() {
                if p.load(as: UInt64.self) != UInt64(i) { handoff.failures[index] += 1 }
                allocator.free(p)
            }
        }
        #expect(handoff.failures == [0, 0])
        #expect(handoff.objects.map(\.count) == [count, count])
    }
}
