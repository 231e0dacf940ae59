import CPlatform
import Glibc
import Strategies

/// Busy waits of the scenario workers. A waiting worker that is an online QSBR reader
/// announces a quiescent state on every turn, so a percpu_ref kill's grace period running on
/// the other worker is never held up by the wait (QSBR's contract: readers block only offline)
/// — except inside a read-side section (`BPFWorld.readSide`), which a grace period must wait for.
enum Spin {
    /// Spins until `condition` holds, yielding the CPU now and then (the machine may have
    /// fewer CPUs than busy threads).
    static func until(_ condition: () -> Bool) {
        let online = QSBR.isOnline
        let inSection = ExecutionContext.readSections > 0
        var turns = 0
        while !condition() {
            turns &+= 1
            if online && !inSection { QSBR.quiescentState() }
            if turns & 15 == 0 { sched_yield() } else { CPlatform_cpu_relax() }
        }
    }

    /// Spins as `until` does (a quiescent state per turn outside a read-side section) until
    /// `condition` holds or about `nanoseconds` passed. A reader lingers in its window this way
    /// after it saw a grace period start: long enough for a grace period that does not wait for
    /// it to end (liburcu's end in microseconds), so "safe" cannot come from reading first.
    static func linger(nanoseconds: Int, until condition: () -> Bool) {
        let end = MonotonicClock.nanoseconds() + nanoseconds
        until { condition() || MonotonicClock.nanoseconds() > end }
    }

    /// Burns `turns` spin-wait hints: a delay of a few nanoseconds per turn, no syscall.
    static func pause(_ turns: Int) {
        var i = 0
        while i < turns {
            CPlatform_cpu_relax()
            i &+= 1
        }
    }
}
