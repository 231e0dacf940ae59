import Atomics
import BPFModel
import Strategies

/// #4 with the window forced. A second program (on the other pinned worker, using the value map
/// only) holds the one object, out of every map, and starts its `bpf_obj_drop` inside one
/// read-side section: it reads the header and, for a percpu_ref, the put's mode (percpu), then
/// pauses; only then does the owner unload and the allocator map close — the kill. The pause
/// lasts until the kill returns, or, since a reader cannot wait for a grace period, until the
/// kill is seen waiting for one (percpu_ref: ATOMIC set; a destroy's barrier: a grace period
/// wait under way). Then the free completes: the unit, and the put's per-CPU store chosen
/// before the switch.
///
/// percpu_ref is safe here only because the kill's grace period waits for that reader: the
/// fold comes after the store. The planted broken percpu_ref (`putOutsideReadSection`) pauses
/// outside the section: the grace period ends without it, the fold misses the store, and the
/// count never reaches zero. Deterministic.
enum PausedPutAtKill: ScenarioScript {
    final class Stage: @unchecked Sendable {
        /// 0 before, 1 the free is paused in its window, 2 the kill is running, 3 it returned.
        let value = ManagedAtomic<Int>(0)
        let pausedInPercpuMode = ManagedAtomic<Bool>(false)
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        var ledger = Ledger(.pausedPutAtKill, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (map, mapFD) = world.createArrayMap(values: 1)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, otherFD) = world.loadProgram(usedMaps: [map])
        let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
        try ledger.require(world.kptrXchg(map, index: 0, object) == nil, "value 0 not empty")

        let stage = Stage()
        let lifetime = allocatorMap.lifetime
        let checker = world.checker!
        let broken = replay.planted(.putOutsideReadSection)
        let tally = HelperTally()
        crew.start {
            guard let held = world.kptrXchg(map, index: 0, nil) else { return }
            world.readSide {
                world.objDropPaused(held, cpu: ScenarioCrew.helperCPU) {
                    if S.usesPercpuRef && !lifetime.percpuRef.isAtomic { stage.pausedInPercpuMode.store(true, ordering: .relaxed) }
                    stage.value.store(1, ordering: .releasing)
                    let pause = {
                        Spin.until {
                            if stage.value.load(ordering: .acquiring) == 3 { return true }
                            guard ExecutionContext.readSections > 0 else { return false }
                            let killWaits = S.usesPercpuRef
                                ? lifetime.percpuRef.isAtomic
                                : checker.gracePeriodWaiters.load(ordering: .acquiring) > 0
                            return killWaits
                        }
                        // Inside the kill's wait, stay in the window: a grace period that did not
                        // wait for this reader would end now (the fold, or the destroy, would run).
                        Spin.linger(nanoseconds: ScenarioModel.lingerNanoseconds) {
                            lifetime.isDestroyed || (S.usesPercpuRef && lifetime.percpuRef.isFolded)
                        }
                        if stage.value.load(ordering: .acquiring) == 2 { tally.racingFrees += 1 }
                    }
                    if broken { ExecutionContext.outsideReadSection(pause) } else { pause() }
                }
            }
            tally.frees += 1
        }

        Spin.until { stage.value.load(ordering: .acquiring) >= 1 || crew.jobFinished }
        world.close(programFD)    // unload: the walk finds the map empty
        stage.value.store(2, ordering: .releasing)
        world.close(allocatorFD)  // the kill, with the put paused in its window
        stage.value.store(3, ordering: .releasing)
        crew.waitForJob()
        try ledger.require(tally.frees == 1, "the second program did not free its object")
        world.close(otherFD)
        world.close(mapFD)
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.racingFrees = tally.racingFrees
        if report.audit.verdict == .safe {
            report.audit.evidence += tally.racingFrees > 0
                ? " (the free " + (stage.pausedInPercpuMode.load(ordering: .relaxed) ? "read percpu mode and " : "")
                    + "completed while the kill was waiting for its grace period)"
                : " (the free completed after the kill returned)"
        }
        return report
    }
}
