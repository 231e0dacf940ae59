import Atomics
import Platform
import Results

/// What one shared counter costs here: `lock xadd` on one cache line by one thread (the line
/// stays in its L1) and by two threads pinned to two CPUs at once (every RMW waits for the
/// line to come over from the other core). The constant behind the contention projection
/// (`ContentionProjection`): this machine has two CPUs and cannot show the curve the thread
/// worried about, but it can measure the per-transfer cost that curve is made of.
enum ContendedLine {
    static let operations = 400_000

    /// ns per RMW on each thread (the median over threads), or nil when a thread cannot be
    /// pinned. `cpus.count` threads, each on its own CPU.
    static func nanosecondsPerRMW(cpus: [Int]) -> Double? {
        guard !cpus.isEmpty, Set(cpus).count == cpus.count else { return nil }
        let line = PaddedAtomicCounter()
        defer { line.deallocate() }
        let barrier = SpinBarrier(parties: cpus.count)
        let results = UnsafeMutablePointer<Int>.allocate(capacity: cpus.count)
        results.initialize(repeating: 0, count: cpus.count)
        defer { results.deallocate() }
        let n = operations
        let group = PinnedThread.spawn(on: cpus) { w, _ in
            barrier.wait()
            let start = now()
            for _ in 0..<n { line.counter.wrappingIncrement(ordering: .relaxed) }
            results[w] = now() - start
        }
        guard group.allStarted else {
            barrier.cancel()
            try? group.join()
            return nil
        }
        guard (try? group.join()) != nil else { return nil }
        let perOp = (0..<cpus.count).map { Double(results[$0]) / Double(n) }.sorted()
        return perOp[perOp.count / 2]
    }
}

/// One counter alone on its cache lines (128 bytes: adjacent-line prefetch pairs lines).
final class PaddedAtomicCounter {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 128)
    var counter: UnsafeAtomic<Int> { UnsafeAtomic(at: (raw + 128).assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self)) }
    init() { (raw + 128).initializeMemory(as: UnsafeAtomic<Int>.Storage.self, repeating: .init(0), count: 1) }
    func deallocate() { raw.deallocate() }
}
