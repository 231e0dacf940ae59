import BPFModel
import Strategies

/// The last reference dropped where nothing may sleep or take a lock, by one run of a legal
/// program (the recast of issue 28: the old script held the objects across the kill and
/// dropped each in a later NMI, which no program can do). A perf_event program whose overflow
/// is an NMI on the other pinned worker (`nmi_drain`) runs once: inside that one NMI it takes
/// every object out of the map with `kptr_xchg`; meanwhile the owner unloads (its walk finds
/// the map empty, so no used_allocators entry delays hybrid's kill) and the allocator map is
/// closed — the kill; still in the NMI, the run drops every object after the kill returned
/// or, where the kill waits for a grace period, while it waits (the NMI is a read-side
/// section it cannot end before). Where the kill leaves the last reference to a put (atomic),
/// that put is in the NMI: the release must not destroy there (the destroy waits for RCU
/// callbacks and takes locks); the model's release defers it, as the kernel would with
/// irq_work, and the checker flags a destroy inline in NMI context. Deterministic.
enum LastPutInNMI: ScenarioScript {
    static let values = 3

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        var ledger = Ledger(.lastPutInNMI, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        allocatorMap.lifetime.destroysInlineInAnyContext = replay.planted(.inlineDestroy)
        let (map, mapFD) = world.createArrayMap(values: values)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map], name: "alloc_prog")
        let (nmiDrain, nmiDrainFD) = world.loadProgram(usedMaps: [map], name: "nmi_drain")  // no allocator map

        for i in 0..<values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }

        let stage = KillStage()
        let tally = HelperTally()
        let lifetime = allocatorMap.lifetime
        let checker = world.checker!
        var releaseInNMI = false
        crew.start {
            do {
                try nmiDrain.run(cpu: ScenarioCrew.helperCPU, context: .nmi) { run in
                    tally.racingRun = run.id
                    let held = (0..<values).compactMap { run.kptrXchg(map, index: $0, nil) }
                    stage.set(1)
                    stage.awaitKillEnd(S.self, lifetime, checker)
                    for ref in held {
                        run.objDrop(ref)
                        tally.droppedBy[ref.address] = run.id
                        tally.frees += 1
                    }
                    // Still in the NMI: a release asked for here waits as deferred work.
                    releaseInNMI = ExecutionContext.pendingDeferredWork > 0
                }
            } catch let e as ProgramRunError { tally.refusal = e } catch {}
            tally.racingRunNanoseconds = nmiDrain.lastRunNanoseconds
        }

        Spin.until { stage.now >= 1 || crew.jobFinished }
        world.close(programFD)    // unload: the walk finds the map empty
        stage.set(2)
        world.close(allocatorFD)  // the kill, inside the NMI run
        stage.set(3)
        crew.waitForJob()
        try ledger.require(tally.refusal == nil, "the model refused the NMI run: \(tally.refusal.map(String.init(describing:)) ?? "")")
        try ledger.require(tally.frees == values, "the NMI run dropped \(tally.frees) of \(values)")
        world.close(nmiDrainFD)
        world.close(mapFD)
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.deferredReleases = releaseInNMI ? 1 : 0
        if report.audit.verdict == .safe {
            report.audit.evidence += releaseInNMI
                ? " (the last put ran in the NMI run on CPU 1; its release was deferred out of the NMI)"
                : " (no release at a put in the NMI: the last reference was the kill's, or there is none)"
        } else {
            report.audit.evidence = tally.namingTheRun(report.audit.evidence, firstViolation: checker.firstViolation, cpu: ScenarioCrew.helperCPU)
        }
        return report
    }
}
