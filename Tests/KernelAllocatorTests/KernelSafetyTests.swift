import Foundation
import Results
import Testing
@testable import KernelAllocator

/// The safety scenarios' sequences against the real kernel: every program passes the verifier,
/// every sequence runs, and each object is dropped by a program or left in a map the map free
/// empties; the shape no verifier accepts is refused. `.serialized`: the kernel log and the
/// private bpffs are process-wide.
@Suite(.enabled(if: !KernelTestSupport.skip && KernelTestSupport.twoCPUs), .serialized, .tags(.concurrent))
struct KernelSafetyTests {
    /// (allocated, dropped by programs, left in maps) each sequence must produce.
    static let expected: [Scenario: (Int, Int, Int)] = [
        .mapInMapEscape: (1, 0, 1), .concurrentWalk: (8, 2, 6), .pinnedMap: (9, 2, 7), .inFlightAtKill: (4, 4, 0),
        .remoteLastFree: (8, 8, 0), .movedBehindWalk: (1, 0, 1), .lastPutInNMI: (4, 4, 0), .pausedPutAtKill: (1, 1, 0),
    ]

    @Test(arguments: Scenario.allCases)
    func eachSequenceLoadsRunsAndAccountsForEveryObject(sequence: Scenario) throws {
        let r = try KernelSafety.run(sequence, build: KernelTestSupport.build, cpus: [0, 1])
        #expect(Set(r.programs) == Set(SafetySession.legalPrograms.map(\.rawValue)))
        let (allocated, freed, left) = try #require(Self.expected[sequence])
        #expect(r.allocated == allocated && r.freedByPrograms == freed && r.inMapsAtClose == left, "\(r)")
        #expect(r.accounted && r.mapsLeft == 0, "\(r)")
        #expect((r.kernelReports ?? 0) == 0, "the kernel log has new WARNING/BUG lines")
        // The walks ran while the racing run did (at least the first, before the unload); no other sequence walks.
        let walking = sequence == .concurrentWalk || sequence == .movedBehindWalk
        #expect(walking ? (r.walksDuringRace ?? 0) >= 1 : r.walksDuringRace == nil, "\(r)")
    }

    /// A holding run spans the control plane's step: the unload lands inside its window, and the
    /// run ends when the gate opens, not at its cap.
    @Test(arguments: [Scenario.inFlightAtKill, .pausedPutAtKill])
    func theUnloadLandsInsideTheHoldingRun(sequence: Scenario) throws {
        let r = try KernelSafety.run(sequence, build: KernelTestSupport.build, cpus: [0, 1])
        let w = try #require(r.window)
        #expect(w.inside, "\(w)")
        #expect(w.held == (sequence == .inFlightAtKill ? 4 : 1))
        #expect(w.runNs < KernelSafety.holdCapNs, "the gate opened before the cap")
    }

    /// On one CPU nothing races: the run goes first and its window says the step came after.
    @Test func oneCPURacesNothing() throws {
        let r = try KernelSafety.run(.inFlightAtKill, build: KernelTestSupport.build, cpus: [0])
        let w = try #require(r.window)
        #expect(!w.inside && w.actedFromNs > w.runNs)
        #expect(r.accounted)
    }

    /// The shape the 2022 scripts described (an object held across runs) is a run that exits
    /// holding its reference: the verifier refuses it and says why.
    @Test func aRunThatExitsHoldingAReferenceIsRefused() throws {
        let refusal = try KernelSafety.refuseExitHolding(build: KernelTestSupport.build)
        #expect(refusal.program == "sf_exit_holding")
        #expect(refusal.reason.contains("reference leak") || refusal.reason.contains("Unreleased reference"), "\(refusal.reason)")
    }

    /// The pin's private bpffs is unmounted and removed.
    @Test func thePinnedSequenceLeavesNoMount() throws {
        _ = try KernelSafety.run(.pinnedMap, build: KernelTestSupport.build, cpus: [0, 1])
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains("memalloc-bench-bpffs-"))
        let left = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("memalloc-bench-bpffs-") }
        #expect(left.isEmpty)
    }

    /// The log scan finds the kernel's report lines and nothing else.
    @Test func reportLinesAreCounted() {
        let text = "[ 1.0] ok\n[ 2.0] WARNING: CPU: 1 PID: 9 at kernel/bpf/memalloc.c:1 x\n[ 3.0] refcount_t: underflow; use-after-free.\n"
        #expect(KernelLogScan.count(in: text) == 2)
    }
}
