import Glibc
import Platform
import Testing

/// SIGINT, SIGTERM and SIGHUP stop the run after the current case; a second one exits at once.
struct RunInterruptTests {
    /// In the exit test's child: the first `signal` is kept (the run would stop after the current
    /// case and write its files), the second exits with 128 + signal.
    static func signalTwice(_ signal: Int32) -> Never {
        RunInterrupt.install()
        // The test runner's thread may block signals; `raise` must reach the handler here.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
        guard RunInterrupt.isSet, RunInterrupt.signal == signal else { exit(99) }
        raise(signal)
        exit(98)  // not reached
    }

    static func checkOneLine(_ result: ExitTest.Result?) {
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.hasPrefix("bench: interrupted again"))
        #expect(stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func sigint() async {
        Self.checkOneLine(await #expect(processExitsWith: .exitCode(130), observing: [\.standardErrorContent]) {
            RunInterruptTests.signalTwice(SIGINT)
        })
    }

    @Test func sigterm() async {
        Self.checkOneLine(await #expect(processExitsWith: .exitCode(143), observing: [\.standardErrorContent]) {
            RunInterruptTests.signalTwice(SIGTERM)
        })
    }

    @Test func sighup() async {
        Self.checkOneLine(await #expect(processExitsWith: .exitCode(129), observing: [\.standardErrorContent]) {
            RunInterruptTests.signalTwice(SIGHUP)
        })
    }

    /// In the exit test's child: a `/bin/sleep` is the child being waited for; the first
    /// SIGTERM goes on to it (`bench ab`'s measuring child must not outlive ab).
    static func forwardToChild() -> Never {
        RunInterrupt.install()
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        // The test runner may block SIGTERM; the sleep must not inherit that mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        guard posix_spawn(&pid, "/bin/sleep", nil, &attributes, &argv, nil) == 0 else { exit(97) }
        RunInterrupt.forward(to: pid)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(SIGTERM)
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { exit(96) }
        // WIFSIGNALED and WTERMSIG, spelled out (the macros are not imported).
        let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        exit(RunInterrupt.isSet && signaled && (status & 0x7f) == SIGTERM ? 0 : 95)
    }

    @Test func theFirstSignalGoesOnToTheChild() async {
        await #expect(processExitsWith: .exitCode(0)) { RunInterruptTests.forwardToChild() }
    }
}
