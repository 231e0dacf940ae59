import CPlatform
import Glibc

/// Pinning threads to one CPU each, verified.
public enum Pinning {
    /// Pins the calling thread to `cpu` and checks `sched_getcpu` agrees. A failed pin is an error.
    /// The corresponding C functions are `pthread_setaffinity_np` and `sched_getcpu`.
    public static func pinCurrentThread(to cpu: Int) throws {
        let rc = CPlatform_pin_current_thread(Int32(cpu))
        guard rc == 0 else { throw PlatformError.pinFailed(cpu: cpu, errno: rc) }
        // The kernel migrates the thread before setaffinity returns; one yield covers slow paths.
        var observed = Int(CPlatform_sched_getcpu())
        if observed != cpu {
            sched_yield()
            observed = Int(CPlatform_sched_getcpu())
        }
        guard observed == cpu else { throw PlatformError.pinNotHonoured(cpu: cpu, observed: observed) }
    }

    /// The CPU the calling thread runs on. The corresponding C function is `sched_getcpu`.
    public static func currentCPU() -> Int { Int(CPlatform_sched_getcpu()) }
}

/// A thread pinned to one CPU that runs one closure and is joined.
///
/// `PinnedThread.run(on: [0, 1]) { index, cpu in ... }` starts one thread per CPU, pins and
/// verifies each before the body runs, and rethrows the first pin error after all are joined.
public final class PinnedThread {
    private let cpu: Int
    private let body: () -> Void
    private var pinError: PlatformError?
    private var thread = pthread_t()

    private init(cpu: Int, body: @escaping () -> Void) {
        self.cpu = cpu
        self.body = body
    }

    /// Runs `body(index, cpu)` on one pinned thread per CPU and waits for all.
    /// If any pin fails, no body runs with the wrong placement: that thread skips its body.
    public static func run(on cpus: [Int], _ body: @escaping (Int, Int) -> Void) throws {
        try spawn(on: cpus, body).join()
    }

    /// Starts one pinned thread per CPU running `body(index, cpu)`; `join()` waits for all and
    /// rethrows the first pin or creation error. Lets a coordinator act while workers run.
    public static func spawn(on cpus: [Int], _ body: @escaping (Int, Int) -> Void) -> Group {
        let threads = cpus.enumerated().map { index, cpu in PinnedThread(cpu: cpu) { body(index, cpu) } }
        var started: [PinnedThread] = []
        var createError: Int32 = 0
        for t in threads {
            let rc = t.start()
            if rc != 0 { createError = rc; break }
            started.append(t)
        }
        return Group(threads: threads, started: started, createError: createError)
    }

    /// Threads started by `spawn`.
    public struct Group {
        let threads: [PinnedThread]
        let started: [PinnedThread]
        let createError: Int32
        /// Whether every thread was created (a body that waits for all workers must not wait
        /// for one that never started).
        public var allStarted: Bool { createError == 0 }

        public func join() throws {
            for t in started { pthread_join(t.thread, nil) }
            if createError != 0 { throw PlatformError.threadCreateFailed(errno: createError) }
            if let e = threads.compactMap(\.pinError).first { throw e }
        }
    }

    private func start() -> Int32 {
        let context = Unmanaged.passRetained(self).toOpaque()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, 8 << 20)
        let rc = pthread_create(&thread, &attr, { raw in
            let me = Unmanaged<PinnedThread>.fromOpaque(raw!).takeRetainedValue()
            do {
                try Pinning.pinCurrentThread(to: me.cpu)
                me.body()
            } catch {
                me.pinError = error as? PlatformError
            }
            return nil
        }, context)
        if rc != 0 { Unmanaged<PinnedThread>.fromOpaque(context).release() }
        return rc
    }
}
