import ArgumentParser
import Foundation
import KernelAllocator
import Statistics

/// The kernel's own refcounts (issue 26): lib/percpu-refcount.c through a cgroup's self css,
/// live and after rmdir killed it, and struct bpf_refcount, each against a same-object control.
struct NativeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "native",
        abstract: "The kernel's own percpu_ref (a cgroup's self css) live and killed, and struct bpf_refcount, in added ns.")

    @Option(help: "Blocks (each a fresh load and a fresh child cgroup).") var blocks = 10
    @Option(help: "Rounds per block (each one slice per subject).") var rounds = 16
    @Option(name: .customLong("slice-us"), help: "One subject's slice, µs.") var sliceUs = 1250

    func validate() throws {
        try positive(blocks, "blocks", max: 10_000)
        try positive(rounds, "rounds", max: 10_000)
        try positive(sliceUs, "slice-us", max: 1_000_000)
        guard sliceUs >= 10 else { throw ValidationError("--slice-us must be at least 10, got \(sliceUs)") }
    }

    func run() throws {
        let environment = KernelEnvironment.current()
        do { try environment.check() } catch { fail(error.description, 69) }
        NativeRefs.installInterruptHandler()
        print("kernel \(environment.kernelRelease), CPUs 0-1, \(blocks) blocks × \(rounds) rounds, slices \(sliceUs) µs")
        let results: NativeRefResults
        do {
            results = try NativeRefs.measure(cpus: [0, 1], blocks: blocks, rounds: rounds, sliceNs: sliceUs * 1000,
                                             build: BPFBuild(environment: environment))
        } catch {
            switch error {
            case .unavailable(let u): fail(u.description, 69)
            case .failed(let f):
                if let code = NativeRefs.interruptedExitCode { fail("interrupted: the cgroups are removed and unmounted", code) }
                fail(f.description, 70)
            }
        }
        NativeTable.print(results)
    }
}

/// The command's table: medians over blocks, added ns with the sign-test 95 % interval.
enum NativeTable {
    static func print(_ r: NativeRefResults) {
        Swift.print("")
        Swift.print("subject                                   CPUs  subject ns  control ns  added ns [95 % interval]")
        for m in r.percpuRef {
            row("percpu_ref get+put (cgroup self css) \(m.phase.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))", m.cpus, m.cost)
        }
        row("bpf_refcount pair vs plain new+drop", 1, r.refcountPair)
        for m in r.sharedRefcount { row("bpf_refcount acquire+drop, one shared obj", m.cpus, m.cost) }
        for cpus in Set(r.percpuRef.map(\.cpus)).sorted() {
            Swift.print("percpu_ref killed − live, paired by block, \(cpus) CPU\(cpus == 1 ? "" : "s"): \(nanos(r.killPenalty(cpus: cpus)))")
        }
        Swift.print("")
        Swift.print("rmdir (percpu_ref_kill as its caller pays it): \(micro(r.kill.rmdir))")
        Swift.print("atomic mode in effect after rmdir returned:    \(micro(r.kill.atomicSeen))  (data->count seen folded, polled every ~20 µs;")
        Swift.print("    ATOMIC|DEAD already set at the first read after rmdir in \(r.kill.flagsAtReturn) of \(r.blocks) blocks)")
        let counts = Set(r.kill.countBeforeLastPut).sorted().map(String.init).joined(separator: ",")
        Swift.print("count before the last put: \(counts); release seen after the last put in \(r.kill.releasesSeen) of \(r.blocks) blocks")
        Swift.print("control: the same program's loop, map lookup and kptr load without the get/put (css, shared) / a type without bpf_refcount (pair)")
        Swift.print("bpf_refcount is a refcount per object, not a count per allocator.")
        printCalibration(r)
    }

    /// Issue 26 item 3: the BPF emulations in the same rounds as the native css get+put.
    static func printCalibration(_ r: NativeRefResults) {
        if let note = r.calibrationNote { Swift.print("\nemulations not measured beside native: \(note)") }
        guard !r.calibration.isEmpty else { return }
        Swift.print("")
        Swift.print("same rounds: emulated get+put (strategies.bpf.c) over lazy_acct; native over css_empty")
        Swift.print("subject                                   CPUs  subject ns  control ns  added ns [95 % interval]")
        for c in r.calibration {
            row("emulated \(c.emulation.rawValue) acct \(c.phase.rawValue)", c.cpus, c.cost)
        }
        for c in r.calibration {
            Swift.print("emulated \(c.emulation.rawValue) − native percpu_ref, \(c.phase.rawValue), \(c.cpus) CPU\(c.cpus == 1 ? "" : "s"): \(nanos(c.overNative))")
        }
        for cpus in Set(r.calibration.map(\.cpus)).sorted() {
            Swift.print("killed − live, paired by block, \(cpus) CPU\(cpus == 1 ? "" : "s"): emulated percpu-ref \(nanos(r.emulatedKillPenalty(cpus: cpus))), native \(nanos(r.killPenalty(cpus: cpus)))")
        }
    }

    static func row(_ name: String, _ cpus: Int, _ c: AddedCost) {
        let added: String
        switch c.added {
        case .interval(let a)?: added = String(format: "%+7.1f [%+.1f, %+.1f]", a.added, a.low, a.high)
        case .tooFewUnits(let e, let n)?: added = String(format: "%+7.1f (n=%d: no interval)", e, n)
        case nil: added = "-"
        }
        Swift.print("\(name.padding(toLength: 43, withPad: " ", startingAt: 0)) \(String(format: "%3d  %10.1f  %10.1f", cpus, c.subjectMedian, c.controlMedian))  \(added)")
    }

    static func nanos(_ r: MedianInterval.Result?) -> String {
        switch r {
        case .interval(let a)?: String(format: "%+.1f ns [%+.1f, %+.1f]", a.added, a.low, a.high)
        case .tooFewUnits(let e, _)?: String(format: "%+.1f ns (too few blocks for an interval)", e)
        case nil: "-"
        }
    }

    static func micro(_ r: MedianInterval.Result?) -> String {
        switch r {
        case .interval(let a)?: String(format: "%.1f µs [%.1f, %.1f]", a.added / 1000, a.low / 1000, a.high / 1000)
        case .tooFewUnits(let e, _)?: String(format: "%.1f µs (too few blocks for an interval)", e / 1000)
        case nil: "-"
        }
    }
}
