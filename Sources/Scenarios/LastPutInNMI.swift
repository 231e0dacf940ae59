import Atomics
import BPFModel
import Strategies

/// The last reference dropped where nothing may sleep or take a lock: a tracing program
/// attached to an NMI (perf event) on the other pinned worker takes every object out of the
/// map and holds it; the owner unloads (its walk finds the map empty, so no used_allocators
/// entry delays hybrid's kill) and the allocator map is closed — the kill; then each object is
/// dropped in its own NMI, the last one carrying the last reference. A strategy that destroys
/// at the last put must not destroy there (the destroy waits for RCU callbacks and takes
/// locks): the model's release defers it, as the kernel would with irq_work, and the checker
/// flags a destroy that runs inline in NMI context. Deterministic.
enum LastPutInNMI: ScenarioScript {
    static let values = 3

    final class Stage: @unchecked Sendable {
        /// 0 before, 1 every object taken out, 2 the kill returned.
        let value = ManagedAtomic<Int>(0)
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        var ledger = Ledger(.lastPutInNMI, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        allocatorMap.lifetime.destroysInlineInAnyContext = replay.planted(.inlineDestroy)
        let (map, mapFD) = world.createArrayMap(values: values)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, tracingFD) = world.loadProgram(usedMaps: [map])  // the NMI's program: no allocator map

        for i in 0..<values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }

        let stage = Stage()
        let tally = HelperTally()
        crew.start {
            var held: [UnsafeMutableRawPointer] = []
            for i in 0..<values {
                if let object = world.kptrXchg(map, index: i, nil) { held.append(object) }
            }
            stage.value.store(1, ordering: .releasing)
            Spin.until { stage.value.load(ordering: .acquiring) == 2 }
            for object in held {
                // One NMI: the tracing program runs under rcu_read_lock and drops one object.
                ExecutionContext.run(.nmi) {
                    world.readSide { world.objDrop(object, cpu: ScenarioCrew.helperCPU) }
                    // Still in the NMI: a release asked for here waits as deferred work.
                    if ExecutionContext.pendingDeferredWork > 0 { tally.racingFrees += 1 }
                }
                tally.frees += 1
            }
        }

        Spin.until { stage.value.load(ordering: .acquiring) >= 1 }
        world.close(programFD)    // unload: the walk finds the map empty
        world.close(allocatorFD)  // the kill
        stage.value.store(2, ordering: .releasing)
        crew.waitForJob()
        try ledger.require(tally.frees == values, "the NMI program dropped \(tally.frees) of \(values)")
        world.close(tracingFD)
        world.close(mapFD)
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.deferredReleases = tally.racingFrees
        if report.audit.verdict == .safe {
            report.audit.evidence += tally.racingFrees > 0
                ? " (the last put ran in NMI context on CPU 1; its release was deferred out of the NMI)"
                : " (no release at a put in the NMI: the drops only freed units)"
        }
        return report
    }
}
