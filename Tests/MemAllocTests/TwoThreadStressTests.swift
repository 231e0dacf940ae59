import Glibc
import Platform
import Testing
@testable import MemAlloc

/// Two pinned workers allocate on their CPU and free half of their objects on the other CPU
/// (handed over through a mutex-protected mailbox): the cross-CPU path under ThreadSanitizer.
@Suite(.tags(.concurrent, .memory)) struct TwoThreadStressTests {
    final class Mailbox: @unchecked Sendable {
        private var lock = pthread_mutex_t()
        private var boxes: [[UnsafeMutableRawPointer]] = [[], []]
        init() { pthread_mutex_init(&lock, nil) }
        deinit { pthread_mutex_destroy(&lock) }
        func post(_ p: UnsafeMutableRawPointer, to worker: Int) {
            pthread_mutex_lock(&lock); boxes[worker].append(p); pthread_mutex_unlock(&lock)
        }
        func take(_ worker: Int) -> [UnsafeMutableRawPointer] {
            pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
            let out = boxes[worker]; boxes[worker] = []; return out
        }
    }

    /// Two CPUs this process may run on, if it has them.
    static let realCPUs: [Int]? = {
        let ids = Topology.current().cpus.map(\.id)
        return ids.count >= 2 ? Array(ids.prefix(2)) : nil
    }()

    /// On the machine's own topology, one worker per real CPU.
    @Test(.enabled(if: TwoThreadStressTests.realCPUs != nil, "needs two CPUs to pin to; the injected topology below runs anywhere"))
    func crossCPUFreesKeepCountsExact() throws {
        let online = Topology.current()
        let cpus = try #require(Self.realCPUs)
        try crossCPUFrees(topology: online, cpus: cpus, pinned: cpus)
    }

    /// On an injected 2-CPU topology, both workers pinned to one real CPU: distinct logical
    /// CPUs keep the single-writer contract of each per-CPU cache, so the cross-CPU path is
    /// checked on a one-CPU machine too (and here, whatever the host has).
    @Test func crossCPUFreesOnAnInjectedTwoCPUTopology() throws {
        let real = try #require(Topology.current().cpus.first?.id)
        try crossCPUFrees(topology: .synthetic(cpus: 2, nodes: 1), cpus: [0, 1], pinned: [real, real])
    }

    /// Worker `i` allocates and frees as logical CPU `cpus[i]`, running on real CPU `pinned[i]`.
    func crossCPUFrees(topology: Topology, cpus: [Int], pinned: [Int]) throws {
        let a = try MemAllocator(topology: topology)
        let mailbox = Mailbox()
        let rounds = 20_000
        let done = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { done.deallocate() }
        try PinnedThread.run(on: pinned) { me, _ in
            let cpu = cpus[me]
            let other = 1 - me
            var mine: [UnsafeMutableRawPointer] = []
            var freed = 0
            for i in 0..<rounds {
                let p = a.allocate(size: 8 + (i % 200), cpu: cpu)!
                p.storeBytes(of: i, as: Int.self)
                if i & 1 == 0 { mailbox.post(p, to: other) } else { mine.append(p) }
                if i % 64 == 63 {
                    for q in mailbox.take(me) { a.free(q, cpu: cpu); freed += 1 }
                    for q in mine { a.free(q, cpu: cpu); freed += 1 }
                    mine.removeAll(keepingCapacity: true)
                }
            }
            for q in mine { a.free(q, cpu: cpu); freed += 1 }
            done[me] = freed
        }
        // Leftovers posted after the other worker's last drain.
        for w in 0..<2 { for q in mailbox.take(w) { a.free(q, cpu: cpus[w]); done[w] += 1 } }
        let s = a.stats()
        #expect(s.outstanding == 0)
        #expect(done[0] + done[1] == 2 * rounds)
        // Half the objects were freed on the other CPU: their surplus went home in chains.
        #expect(s.remoteReturns > 0)
        #expect(a.checkInvariants() == nil)
        #expect(a.destroy().isClean)
    }
}
