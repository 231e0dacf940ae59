import Glibc
import Testing
import Platform

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
}
