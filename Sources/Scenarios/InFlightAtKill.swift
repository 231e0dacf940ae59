import BPFModel
import Strategies

/// Objects in flight at the kill, held inside one program run (the recast of issue 28: no
/// program can hold an object across runs, the verifier rejects one that exits holding it).
/// A second program on the other pinned worker (`drain`, using the value map only) starts one
/// run before the unload: it takes every object out of the shared map with `kptr_xchg` and
/// holds them; meanwhile the owning program unloads (its walk finds the map empty) and the
/// allocator map is closed — the kill. Still inside that run, the drain drops each object at
/// a drawn point: as the kill starts, a drawn delay into it, or at its end (the last one
/// always): after the kill returned or, where the kill waits for a grace period, while it
/// waits (the grace period cannot end before the run does: a run is one read-side section).
/// The window is the run's length.
///
/// Where the kill destroys at once (lazy, kmem-cache under `immediate`) the drops race that
/// destroy; the checked world serializes each drop's check-and-free with it
/// (`LifetimeChecker`), so a drop that lands after it is recorded, not committed.
enum InFlightAtKill: ScenarioScript {
    enum When: Equatable {
        case atKillStart
        case intoKill(turns: Int)
        case atKillEnd
    }

    struct Plan {
        let values: Int
        let order: [Int]
        let when: [When]

        init(_ rng: inout ScenarioRandom) {
            values = Int.random(in: 1...6, using: &rng)
            order = (0..<values).shuffled(using: &rng)
            var w: [When] = (0..<values).map { _ in
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: return .atKillStart
                case 1: return .intoKill(turns: Int.random(in: 0..<1_024, using: &rng))
                default: return .atKillEnd
                }
            }
            w[values - 1] = .atKillEnd
            when = w
        }
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let plan = Plan(&rng)
        var ledger = Ledger(.inFlightAtKill, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        allocatorMap.lifetime.destroysInlineInAnyContext = replay.planted(.inlineDestroy)
        let (map, mapFD) = world.createArrayMap(values: plan.values)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map], name: "alloc_prog")
        let (drain, drainFD) = world.loadProgram(usedMaps: [map], name: "drain")

        for i in 0..<plan.values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }

        let stage = KillStage()
        let tally = HelperTally()
        let lifetime = allocatorMap.lifetime
        let checker = world.checker!
        crew.start {
            do {
                try drain.run(cpu: ScenarioCrew.helperCPU) { run in
                    tally.racingRun = run.id
                    let held = plan.order.compactMap { run.kptrXchg(map, index: $0, nil) }
                    stage.set(1)
                    for (ref, when) in zip(held, plan.when) {
                        switch when {
                        case .atKillStart: stage.await(2)
                        case .intoKill(let turns):
                            stage.await(2)
                            Spin.pause(turns)
                        case .atKillEnd: stage.awaitKillEnd(S.self, lifetime, checker)
                        }
                        let before = stage.now
                        run.objDrop(ref)
                        tally.droppedBy[ref.address] = run.id
                        tally.frees += 1
                        if before == 2 && stage.now == 2 { tally.racingFrees += 1 }
                    }
                }
            } catch let e as ProgramRunError { tally.refusal = e } catch {}
            tally.racingRunNanoseconds = drain.lastRunNanoseconds
        }

        Spin.until { stage.now >= 1 || crew.jobFinished }
        world.close(programFD)  // unload: the walk finds the map empty
        stage.set(2)
        world.close(allocatorFD)  // the kill, raced by the run's drops
        stage.set(3)
        crew.waitForJob()
        try ledger.require(tally.refusal == nil, "the model refused the drain run: \(tally.refusal.map(String.init(describing:)) ?? "")")
        try ledger.require(tally.frees == plan.values, "the drain run freed \(tally.frees) of \(plan.values)")
        world.close(drainFD)
        world.close(mapFD)
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.racingFrees = tally.racingFrees
        if report.audit.verdict != .safe {
            report.audit.evidence = tally.namingTheRun(report.audit.evidence, firstViolation: checker.firstViolation, cpu: ScenarioCrew.helperCPU)
        }
        return report
    }
}
