import Atomics
import CLibbpf
import Glibc
import Platform
import Results

/// The sequences in which a program's run races the control plane.
extension KernelSafety {
    /// One run of sf_hold_drop on `other` takes the objects out and spins with them until the
    /// gate opens; once it holds them, the calling thread (on `home`) does `act` and opens the
    /// gate. The window is the run's own record (bpf_ktime_get_ns, the same clock as
    /// CLOCK_MONOTONIC), so a descheduled control plane only lengthens it. On one CPU nothing
    /// can race: the gate opens first, the run goes, and the window shows the step after it.
    static func holdRace(_ s: SafetySession, home: Int, other: Int, step: String,
                         _ act: () -> Void) throws(KernelCaseFailure) -> HoldWindow {
        let box = ResultBox<UInt32>()
        // The box is read after the join; while the run goes, only this flag is polled.
        let finished = ManagedAtomic<Bool>(false)
        let spawned = monotonicNanoseconds()
        let run = { () in
            do throws(KernelCaseFailure) { box.value = .success(try s.run(.holdDrop, parameter: holdCapNs)) } catch { box.value = .failure(error) }
            finished.store(true, ordering: .releasing)
        }
        var held = 0
        var from = 0, to = 0
        if home == other {
            try s.setGate(open: true)
            run()
            from = monotonicNanoseconds(); act(); to = monotonicNanoseconds()
        } else {
            try s.setGate(open: false)
            let group = PinnedThread.spawn(on: [other]) { _, _ in run() }
            while monotonicNanoseconds() < spawned + holdCapNs {
                let h = s.hold(cpu: other)
                if h.start > spawned && h.holding > 0 { held = h.holding; break }
                if finished.load(ordering: .acquiring) { break }
            }
            from = monotonicNanoseconds(); act(); to = monotonicNanoseconds()
            let opened = Result { () throws(KernelCaseFailure) in try s.setGate(open: true) }
            do { try group.join() } catch { throw KernelCaseFailure("cannot pin to CPU \(other): \(error)") }
            try opened.get()
        }
        guard let value = box.value else { throw KernelCaseFailure("sf_hold_drop did not report") }
        _ = try value.get()
        let h = s.hold(cpu: other)
        return HoldWindow(program: SafetyProgram.holdDrop.rawValue, cpu: other, held: held, runNs: h.end - h.start,
                          actedFromNs: from - h.start, actedToNs: to - h.start, step: step)
    }

    /// CPU `home` walks values (bpf_for_each_map_elem reads every kptr) again and again while
    /// one run on `other` takes objects out (concurrent-walk) or moves one from a slot the walk
    /// has not reached into one it passed (moved-behind-walk); alloc_prog unloads after the
    /// first walk.
    static func walkSequence(_ sequence: Scenario, _ s: SafetySession, other: Int, into r: inout KernelSafetyRun) throws(KernelCaseFailure) {
        let moving = sequence == .movedBehindWalk
        if moving { try s.run(.stash, base: 6) } else { try s.run(.stash, count: slots) }
        let go = ManagedAtomic<Bool>(false), done = ManagedAtomic<Bool>(false)
        let box = ResultBox<UInt32>()
        let group = PinnedThread.spawn(on: [other]) { _, _ in
            while !go.load(ordering: .acquiring) { sched_yield() }
            do throws(KernelCaseFailure) {
                box.value = .success(moving ? try s.run(.move, base: 6, parameter: 1) : try s.run(.takeDrop, count: 2))
            } catch { box.value = .failure(error) }
            done.store(true, ordering: .releasing)
        }
        var walks = 0
        let deadline = monotonicNanoseconds() + 1_000_000_000
        go.store(true, ordering: .releasing)
        var walkFailure: KernelCaseFailure?
        repeat {
            do throws(KernelCaseFailure) { try s.run(.count) } catch {
                walkFailure = error
                break
            }
            walks += 1
            if walks == 1 { s.unload(.stash) }
        } while !done.load(ordering: .acquiring) && monotonicNanoseconds() < deadline
        // Joined on every path: a failed walk must not leave the racing thread behind.
        do { try group.join() } catch { throw KernelCaseFailure("cannot pin to CPU \(other): \(error)") }
        if let walkFailure { throw walkFailure }
        guard let value = box.value else { throw KernelCaseFailure("the racing run did not report") }
        _ = try value.get()
        r.walksDuringRace = walks
    }

    /// sf_irq_drain armed on `other`'s software cpu-clock (every 1 ms, hard-irq): its first run
    /// takes the four objects out and drops them, while alloc_prog unloads on this CPU.
    static func lastPutInIRQ(_ s: SafetySession, other: Int) throws(KernelCaseFailure) {
        try s.run(.stash, count: 4)
        let before = s.counters().freed
        let pfd = CLibbpf_perf_cpu_clock_bpf(Int32(other), 1_000_000, s.fd(.irqDrain))
        guard pfd >= 0 else { throw KernelCaseFailure("perf_event_open/SET_BPF on CPU \(other) failed: \(String(cString: strerror(-pfd)))") }
        let event = OwnedFD(adopting: pfd)
        s.unload(.stash)
        let deadline = monotonicNanoseconds() + 2_000_000_000
        while s.counters().freed - before < 4 && monotonicNanoseconds() < deadline { usleep(500) }
        event.close()
        guard s.counters().freed - before == 4 else {
            throw KernelCaseFailure("sf_irq_drain did not drop the 4 objects within 2 s of its cpu-clock event on CPU \(other)")
        }
    }
}
