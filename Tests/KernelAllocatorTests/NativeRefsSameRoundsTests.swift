import Testing
@testable import KernelAllocator

/// Issue 26 item 3: the BPF emulations run in the same rounds as the native css get+put, with
/// their counts matching on every object, and an emulated reference left behind is caught.
/// In NativeRefsTests' serialized suite: two private cgroup2 hierarchies of one process share
/// their run directory's name, so these must not run beside the other native tests.
extension NativeRefsTests {
    @Test func emulationsRunInTheNativeRounds() throws {
        // 8 rounds: a round is dropped when any of its 5 slices stalled on a busy host.
        let r = try NativeRefs.measure(cpus: cpus, blocks: 1, rounds: 8, sliceNs: 1_000_000, build: build)
        #expect(r.calibrationNote == nil)
        #expect(r.calibration.count == RefPhase.allCases.count * cpus.count * EmulatedRef.allCases.count)
        for c in r.calibration {
            #expect(c.cost.subjectNs.count == 1 && c.cost.subjectNs[0].isFinite && c.cost.controlNs[0].isFinite, "\(c)")
            #expect(c.overNativeNs.count == 1 && c.overNativeNs[0].isFinite, "\(c)")
        }
        // The native checks still hold with the emulations' columns in the rounds.
        #expect(r.kill.countBeforeLastPut == [1] && r.kill.releasesSeen == 1)
        #expect(r.percpuRef.allSatisfy { $0.cost.addedNs.count == 1 })
    }

    @Test func withoutCalibrationNothingElseChanges() throws {
        let r = try NativeRefs.measure(cpus: [cpus[0]], blocks: 1, rounds: 2, sliceNs: 200_000, build: build, calibrate: false)
        #expect(r.calibration.isEmpty && r.calibrationNote == nil)
        #expect(r.percpuRef.count == 2)
    }

    /// The emulation's killed count must hold exactly its one held reference: a second get
    /// without its put (a planted extra stash) fails the kill's check, and the end's check
    /// fails while a reference is still out.
    @Test func aLeftoverEmulatedReferenceIsCaught() throws {
        let e = try NativeEmulation(cpu: cpus[0], build: build)
        defer { e.close() }
        try e.hold()
        try e.checkLive()
        _ = try e.kernelCase.programs[StrategiesProgram.pcpuStash.id]!.run(iterations: 1, base: 1, seed: e.kernelCase.ownerID)
        #expect(throws: KernelCaseFailure.self) { try e.kill() }
        #expect(throws: KernelCaseFailure.self) { try e.finish() }
    }

    @Test func theEmulationsKillLeavesTheHeldReference() throws {
        let e = try NativeEmulation(cpu: cpus[0], build: build)
        defer { e.close() }
        try e.hold()
        try e.kill()
        #expect(e.state.count == 1 && e.state.mode == 3)
        try e.finish()
        #expect(e.state.count == 0 && e.state.releases == 1)
    }
}
