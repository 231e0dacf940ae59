import Foundation
import Glibc
import Platform
import Statistics

/// kmalloc_nolock + kfree_nolock, as a BPF program can reach them in 6.18: `bpf_timer_init` on
/// a map no user holds allocates its callback state with kmalloc_nolock, sets the hrtimer up,
/// sees no user and frees it with kfree_nolock (-EPERM); the control is the same call on an
/// armed timer, which returns -EBUSY before allocating. Both run in the same rounds, their
/// order alternating; a block's unit is the median over its rounds of (unowned − armed).
/// A context row: the difference also holds hrtimer_setup and the memcg charge, and neither
/// side fires kmem:kmalloc/kfree, so the anatomy's probes cannot see it.
public struct KmallocNolockCost: Sendable {
    /// Per block: ns per call over the armed call's, median of the block's rounds.
    public let addedNs: [Double]
    /// Per block: the two calls' own ns per call (medians of rounds).
    public let unownedNs: [Double]
    public let armedNs: [Double]

    static let iterations = 2048

    /// `blocks` blocks of `rounds` rounds on `cpu`; unavailable when the kernel returns anything
    /// but -EPERM on the unowned map (an older kernel allocates differently) or refuses to load.
    public static func measure(cpu: Int, blocks: Int, rounds: Int, build: BPFBuild) throws -> KmallocNolockCost {
        let object = try BPFObject(.anatomy, objectSize: 64, build: build,
                                   autoload: [AnatomyProgram.timerInitUnowned.id, AnatomyProgram.timerInitArmed.id])
        defer { object.close() }
        guard let countsAt = object.bssOffset(of: AnatomyGlobal.timerCounts), let bss = object.bss else {
            throw KernelUnavailable(reason: "timer counters missing", note: object.path)
        }
        func counts() -> [UInt64] { (0..<4).map { bss.load(fromByteOffset: countsAt + $0 * 8, as: UInt64.self) } }
        // The map's only user reference is the loader's fd: pointing it at /dev/null drops it.
        let devNull = open("/dev/null", O_RDONLY)
        guard devNull >= 0, dup2(devNull, object.mapFD(AnatomyMap.unownedTimer)) >= 0 else {
            throw KernelUnavailable(reason: "could not drop the timer map's fd", note: String(cString: strerror(errno)))
        }
        close(devNull)
        let unowned = object.testRun(AnatomyProgram.timerInitUnowned), armed = object.testRun(AnatomyProgram.timerInitArmed)
        var added: [Double] = [], unownedNs: [Double] = [], armedNs: [Double] = []
        let failure = LoopResult()
        try PinnedThread.run(on: [cpu]) { _, _ in
            do throws(KernelCaseFailure) {
                _ = try armed.run(iterations: 1)  // arms it
                for _ in 0..<blocks {
                    var u: [Double] = [], a: [Double] = []
                    for r in 0..<rounds {
                        func time(_ p: TestRunProgram) throws(KernelCaseFailure) -> Double {
                            let t0 = monotonicNanoseconds()
                            _ = try p.run(iterations: iterations)
                            return Double(monotonicNanoseconds() - t0) / Double(iterations)
                        }
                        if r % 2 == 0 { u.append(try time(unowned)); a.append(try time(armed)) } else { a.append(try time(armed)); u.append(try time(unowned)) }
                    }
                    added.append(Effect.median(zip(u, a).map { $0 - $1 }))
                    unownedNs.append(Effect.median(u))
                    armedNs.append(Effect.median(a))
                }
                failure.set(.success((0, 0)))
            } catch { failure.set(.failure(error)) }
        }
        _ = try failure.get()
        let c = counts(), calls = UInt64(blocks * rounds * iterations)
        guard c[0] == 1, c[1] == calls, c[2] == calls, c[3] == 0 else {
            throw KernelUnavailable(reason: "bpf_timer_init did not allocate and free as 6.18 does",
                                    note: "armed \(c[0]), -EPERM \(c[1]), -EBUSY \(c[2]), other \(c[3]) of \(calls) calls each")
        }
        return KmallocNolockCost(addedNs: added, unownedNs: unownedNs, armedNs: armedNs)
    }
}
