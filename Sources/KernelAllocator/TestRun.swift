import CLibbpf
import Glibc

/// A loaded tc program run with BPF_PROG_TEST_RUN on the calling thread's CPU (the kernel runs
/// it right there, migration disabled, inside one rcu_read_lock() section).
struct TestRunProgram: Sendable {
    let name: String
    let fd: Int32

    /// Runs the program once: `iterations` bpf_loop steps starting at slot or key `base`.
    /// Returns the program's return value (0: every step succeeded).
    @inline(__always)
    func run(iterations: Int, base: Int = 0, seed: UInt32 = 0) throws(KernelCaseFailure) -> UInt32 {
        var retval: UInt32 = 0
        let rc = CLibbpf_test_run_tc(fd, UInt32(iterations), UInt32(base), seed, &retval)
        guard rc == 0 else {
            throw KernelCaseFailure("BPF_PROG_TEST_RUN of \(name) failed: \(String(cString: strerror(-rc)))")
        }
        return retval
    }
}

/// Nanoseconds from CLOCK_MONOTONIC, read once per BPF_PROG_TEST_RUN (each lasts microseconds).
@inline(__always) func monotonicNanoseconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}
