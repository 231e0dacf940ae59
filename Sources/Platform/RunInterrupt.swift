import Atomics
import Glibc

/// The one interrupt of a process: SIGINT, SIGTERM and SIGHUP. The first signal is recorded
/// (every step of a run polls `isSet` and stops, keeping what finished), and is passed on to a
/// child process being waited for (`bench ab`'s measuring child); a second signal kills that
/// child and exits at once with 128 + signal. Every command installs this one handler.
public enum RunInterrupt {
    /// The signal that arrived first, or 0. Atomics, not plain globals: workers read it while
    /// the handler writes it.
    static let received = ManagedAtomic<Int32>(0)
    /// The child to forward signals to, or 0.
    static let child = ManagedAtomic<Int32>(0)

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP. Idempotent.
    public static func install() {
        // Touch the globals here: their lazy initialization is not async-signal-safe.
        _ = received.load(ordering: .relaxed)
        _ = child.load(ordering: .relaxed)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(s) { n in
                // kill(2) may set errno in the thread the signal interrupted.
                let saved = errno
                defer { errno = saved }
                let pid = RunInterrupt.child.load(ordering: .acquiring)
                guard RunInterrupt.received.compareExchange(expected: 0, desired: n, ordering: .acquiringAndReleasing).exchanged else {
                    if pid > 0 { kill(pid, SIGKILL) }
                    RunInterrupt.exitAtOnce(n)
                }
                if pid > 0 { kill(pid, n) }
            }
        }
    }

    /// Whether a signal arrived.
    @inline(__always) public static var isSet: Bool { received.load(ordering: .acquiring) != 0 }

    /// The signal that arrived first (SIGINT, SIGTERM or SIGHUP), or 0.
    public static var signal: Int32 { received.load(ordering: .acquiring) }

    /// 128 + the signal: the shell's status for a process the signal stopped.
    public static var exitCode: Int32 { 128 + max(signal, 0) }

    /// Signals arriving from now on are passed to `pid` as well (0: to nobody).
    public static func forward(to pid: pid_t) { child.store(pid, ordering: .releasing) }

    /// A second signal does not wait: one line, exit 128 + signal. Only async-signal-safe calls.
    public static func exitAtOnce(_ signal: Int32) -> Never {
        let line: StaticString = "bench: interrupted again: exiting at once, the current results are not written\n"
        _ = Glibc.write(2, line.utf8Start, line.utf8CodeUnitCount)
        _exit(128 + signal)
    }

    /// For tests: forget a signal.
    public static func resetForTesting() { received.store(0, ordering: .releasing) }
}
