import Platform
import PropertyBased
import Testing
@testable import MemAlloc

/// Random alloc/free sequences over two CPUs and every size: counts balance, the allocator's
/// lists stay consistent, and no object is handed out twice while live.
@Suite(.tags(.memory)) struct RandomSequenceProperties {
    @Test func countsBalanceAndNoObjectIsHandedOutTwice() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...(1 << 24)).array(of: 1...600)) { ops in
            guard let a = try? MemAllocator(topology: .synthetic(cpus: 2, nodes: 2), memory: NodeMemory(source: .simulated)) else {
                Issue.record("allocator init failed")
                return
            }
            var live: [UnsafeMutableRawPointer] = []
            var liveSet = Set<UnsafeMutableRawPointer>()
            var allocs = 0, frees = 0
            for v in ops {
                let cpu = (v >> 2) & 1
                if v & 3 < 2 || live.isEmpty {
                    let size = (v >> 3) % SizeClass.maxRequest + 1
                    guard let p = a.allocate(size: size, cpu: cpu) else { Issue.record("allocation of \(size) failed"); return }
                    #expect(liveSet.insert(p).inserted, "object \(p) handed out twice")
                    // Write the whole object: an overlap with another live object or the header would
                    // corrupt lists, which checkInvariants then sees.
                    p.initializeMemory(as: UInt8.self, repeating: 0xA5, count: size)
                    live.append(p)
                    allocs += 1
                } else {
                    let i = (v >> 3) % live.count
                    live.swapAt(i, live.count - 1)
                    let p = live.removeLast()
                    liveSet.remove(p)
                    a.free(p, cpu: cpu)
                    frees += 1
                }
            }
            let s = a.stats()
            #expect(allocs - frees == live.count)
            #expect(s.outstanding == live.count)
            #expect(a.checkInvariants() == nil)
            for p in live { a.free(p, cpu: 0) }
            #expect(a.destroy().isClean)
        }
    }
}
