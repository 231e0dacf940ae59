import Atomics
import Platform
import Results

/// A cross-core ping-pong measured before each repetition: two threads pinned to two CPUs pass
/// a token back and forth through one cache line. On this kind of VM the round trip rises from
/// ~100 ns to ~400 ns for minutes during host episodes; recording it per repetition lets a
/// reader (and the reports) see which repetitions ran in one.
enum CrossCoreCalibration {
    static let roundTrips = 2000

    /// Median-free and cheap: the mean round trip in ns over `roundTrips`, or nil when fewer
    /// than two CPUs are given or a thread cannot be pinned.
    static func roundTripNanoseconds(cpus: [Int]) -> Double? {
        guard cpus.count >= 2, cpus[0] != cpus[1] else { return nil }
        let token = ManagedAtomic<Int>(0)
        let elapsed = ManagedAtomic<Int>(0)
        let n = roundTrips
        let group = PinnedThread.spawn(on: [cpus[0], cpus[1]]) { w, _ in
            if w == 0 {
                // Let the partner start spinning before the clock starts.
                while true {
                    let v = token.load(ordering: .acquiring)
                    if v == -2 { return }
                    if v == -1 { break }
                    TimeStampCounter.relax()
                }
                let start = now()
                for i in 0..<n {
                    token.store(2 * i + 1, ordering: .releasing)
                    while token.load(ordering: .acquiring) != 2 * i + 2 { TimeStampCounter.relax() }
                }
                elapsed.store(now() - start, ordering: .releasing)
                token.store(-2, ordering: .releasing)
            } else {
                token.store(-1, ordering: .releasing)
                var expect = 1
                while true {
                    let v = token.load(ordering: .acquiring)
                    if v == -2 { break }
                    if v == expect {
                        token.store(v + 1, ordering: .releasing)
                        expect += 2
                    } else {
                        TimeStampCounter.relax()
                    }
                }
            }
        }
        guard group.allStarted else {
            token.store(-2, ordering: .releasing)
            try? group.join()
            return nil
        }
        guard (try? group.join()) != nil else { return nil }
        return Double(elapsed.load(ordering: .acquiring)) / Double(n)
    }
}
