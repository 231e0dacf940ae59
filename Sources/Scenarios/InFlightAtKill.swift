import Atomics
import BPFModel
import Strategies

/// Objects in flight at the kill: a second program on the other pinned worker (it uses the
/// value map, not the allocator map) takes every object out of the shared map and holds
/// them; the owning program unloads (its walk finds the map empty) and the allocator map is
/// closed — the kill (percpu_ref_kill's mode switch and grace period, lazy's destroy). The
/// second program frees its objects at random points: as the kill starts, after a random
/// delay into it (inside the grace period when it lasts), and always at least one after the
/// kill has returned. Each free is one program run (one QSBR read-side section).
///
/// Where the kill destroys the allocator at once (lazy, kmem-cache) the frees truly race
/// that destroy: the checked world serializes each free's check-and-free with the destroy
/// (`LifetimeChecker`), so a free that lands after it is recorded, not committed.
enum InFlightAtKill: ScenarioScript {
    enum When: Equatable {
        case atKillStart
        case intoKill(turns: Int)
        case afterKill
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
                default: return .afterKill
                }
            }
            w[values - 1] = .afterKill
            when = w
        }
    }

    final class Kill: @unchecked Sendable {
        /// 0 before, 1 every object taken out, 2 kill running, 3 kill returned.
        let stage = ManagedAtomic<Int>(0)
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let plan = Plan(&rng)
        var ledger = Ledger(.inFlightAtKill, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (map, mapFD) = world.createArrayMap(values: plan.values)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, otherFD) = world.loadProgram(usedMaps: [map])

        for i in 0..<plan.values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }

        let kill = Kill()
        let tally = HelperTally()
        crew.start {
            let cpu = ScenarioCrew.helperCPU
            var held: [UnsafeMutableRawPointer] = []
            for slot in plan.order {
                if let object = world.kptrXchg(map, index: slot, nil) { held.append(object) }
            }
            kill.stage.store(1, ordering: .releasing)
            for (object, when) in zip(held, plan.when) {
                switch when {
                case .atKillStart:
                    Spin.until { kill.stage.load(ordering: .acquiring) >= 2 }
                case .intoKill(let turns):
                    Spin.until { kill.stage.load(ordering: .acquiring) >= 2 }
                    Spin.pause(turns)
                case .afterKill:
                    Spin.until { kill.stage.load(ordering: .acquiring) >= 3 }
                }
                let before = kill.stage.load(ordering: .acquiring)
                world.objDrop(object, cpu: cpu)
                tally.frees += 1
                if before == 2 && kill.stage.load(ordering: .acquiring) == 2 { tally.racingFrees += 1 }
                QSBR.quiescentState()  // the program run ends
            }
        }

        Spin.until { kill.stage.load(ordering: .acquiring) >= 1 }
        world.close(programFD)  // unload: the walk finds the map empty
        kill.stage.store(2, ordering: .releasing)
        world.close(allocatorFD)  // the kill, raced by the frees
        kill.stage.store(3, ordering: .releasing)
        crew.waitForJob()
        try ledger.require(tally.frees == plan.values, "the second program freed \(tally.frees) of \(plan.values)")
        world.close(otherFD)
        world.close(mapFD)
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.racingFrees = tally.racingFrees
        return report
    }
}
