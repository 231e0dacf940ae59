import Glibc

/// The kernel context the calling thread models, for the checked model only: whether it may
/// sleep (an allocator's destroy waits for RCU callbacks and takes locks, so it must run where
/// sleeping is allowed). Thread-local; a thread starts in process context, outside any
/// read-side section.
///
/// - `program`: a BPF program (`bpf_obj_drop` runs here): preemption off, under
///   `rcu_read_lock`; may take spinlocks, never sleep.
/// - `nmi`: an NMI or a tracing program attached to one: may neither sleep nor take locks
///   (not even irq-safe spinlocks: the interrupted code may hold them).
/// - A read-side section (`rcu_read_lock`, `ReadSide`) is non-sleepable too.
///
/// Work that must sleep and is asked for where sleeping is not allowed (a release reaching
/// zero inside a program or an NMI) is deferred, as the kernel defers it with `irq_work` and a
/// workqueue: it runs on the same thread as soon as the thread is back in process context and
/// outside every read-side section.
public enum ExecutionContext {
    public enum Kind: String, Sendable {
        case process
        case program
        case nmi
    }

    final class State {
        var kind = Kind.process
        var readSections = 0
        var deferred: [() -> Void] = []
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<State>.fromOpaque(raw).release() }
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    static var state: State {
        if let raw = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(raw).takeUnretainedValue() }
        let state = State()
        pthread_setspecific(key, Unmanaged.passRetained(state).toOpaque())
        return state
    }

    /// The calling thread's context.
    public static var current: Kind { state.kind }
    /// Read-side sections the calling thread is inside (nested count).
    public static var readSections: Int { state.readSections }
    /// Whether the calling thread may sleep: process context, no read-side section.
    public static var maySleep: Bool {
        let s = state
        return s.kind == .process && s.readSections == 0
    }

    /// Runs `body` in context `kind` (nested contexts keep the strictest: an NMI stays an NMI
    /// inside a program's helper); deferred work runs once sleeping is allowed again.
    public static func run<R>(_ kind: Kind, _ body: () throws -> R) rethrows -> R {
        let s = state
        let outer = s.kind
        if outer != .nmi { s.kind = kind }
        defer {
            s.kind = outer
            runDeferredIfMaySleep(s)
        }
        return try body()
    }

    /// Marks `body` as one read-side section (`rcu_read_lock` … `rcu_read_unlock`). The model's
    /// grace periods are QSBR's: an online reader inside a section announces no quiescent state
    /// (`Spin` honours this), which is what makes a grace period wait for it.
    public static func readSection<R>(_ body: () throws -> R) rethrows -> R {
        let s = state
        s.readSections += 1
        defer {
            s.readSections -= 1
            runDeferredIfMaySleep(s)
        }
        return try body()
    }

    /// Runs `body` outside the calling thread's read-side sections (a planted bug for negative
    /// controls: "the check and the store are not in one section"); restores them after.
    public static func outsideReadSection<R>(_ body: () throws -> R) rethrows -> R {
        let s = state
        let saved = s.readSections
        s.readSections = 0
        defer { s.readSections = saved }
        return try body()
    }

    /// Queues `work` to run on this thread once it may sleep (at once if it may now).
    public static func deferUntilMaySleep(_ work: @escaping () -> Void) {
        let s = state
        s.deferred.append(work)
        runDeferredIfMaySleep(s)
    }

    /// Deferred work not run yet on this thread.
    public static var pendingDeferredWork: Int { state.deferred.count }

    private static func runDeferredIfMaySleep(_ s: State) {
        while s.kind == .process && s.readSections == 0 && !s.deferred.isEmpty {
            let work = s.deferred.removeFirst()
            work()
        }
    }
}
