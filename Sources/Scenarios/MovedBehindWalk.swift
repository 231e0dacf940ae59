import Atomics
import BPFModel
import Strategies

/// The hole a read-side section does not close: while the unload walk runs, a second program
/// on the other pinned worker moves the one object from a slot the walk has not reached yet
/// into an empty slot it already passed (`old = kptr_xchg(&v[late], NULL);
/// kptr_xchg(&v[early], old)`). The walk never sees the object, so its allocator is not
/// collected; the allocator map's close (the program's unload) is the last owner, and the map's
/// later free frees the object into whatever is left. Nothing is freed during the walk, so the
/// reuse rule has nothing to protect. The moving program's own unload (it uses the map) walks
/// the map again and finds the object, now under an allocator whose owners are gone: a plain
/// `refcount_inc` there is refcount_t's "addition on 0" (`immediate`); `rcu`'s inc-not-zero
/// refuses it. Randomized like concurrent-walk: map size, the two
/// slots, and whether the walk waits for the move at the late slot (wide window) or only
/// spins there (narrow: the walk may read the object before it moves, and collect it).
/// The racer runs the same plan whatever the strategy; with no walk it moves after the unload.
enum MovedBehindWalk: ScenarioScript {
    struct Plan {
        let values: Int
        let early: Int
        let late: Int
        let wideWindow: Bool
        let walkDelay: Int
        let racerDelay: Int

        init(_ rng: inout ScenarioRandom) {
            values = Int.random(in: 2...8, using: &rng)
            let a = Int.random(in: 0..<values, using: &rng)
            var b = Int.random(in: 0..<(values - 1), using: &rng)
            if b >= a { b += 1 }
            early = min(a, b)
            late = max(a, b)
            wideWindow = Bool.random(using: &rng)
            walkDelay = Int.random(in: 0..<2_000, using: &rng)
            racerDelay = Int.random(in: 0..<256, using: &rng)
        }
    }

    final class Race: @unchecked Sendable {
        let walkAt = ManagedAtomic<Int>(-1)
        let moved = ManagedAtomic<Bool>(false)
        /// 0 before the unload, 1 while it runs, 2 after.
        let unload = ManagedAtomic<Int>(0)
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let plan = Plan(&rng)
        var ledger = Ledger(.movedBehindWalk, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (map, mapFD) = world.createArrayMap(values: plan.values)
        let (program, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, racerFD) = world.loadProgram(usedMaps: [map])  // kptr_xchg only: no allocator map

        let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
        try ledger.require(world.kptrXchg(map, index: plan.late, object) == nil, "value \(plan.late) not empty")

        let race = Race()
        program.walkStep = { _, index in
            race.walkAt.store(index, ordering: .releasing)
            guard index == plan.late else { return }
            if plan.wideWindow {
                Spin.until { race.moved.load(ordering: .acquiring) }
            } else {
                Spin.pause(plan.walkDelay)
            }
        }

        let tally = HelperTally()
        crew.start {
            // Behind the walk: once it has read the early slot (or, with no walk, after the unload).
            var passed = false
            Spin.until {
                if race.walkAt.load(ordering: .acquiring) > plan.early {
                    passed = true
                    return true
                }
                return race.unload.load(ordering: .acquiring) == 2
            }
            if passed && !plan.wideWindow { Spin.pause(plan.racerDelay) }
            // One program run: the object changes slots; nothing is freed.
            let taken = world.kptrXchg(map, index: plan.late, nil)
            let displaced = world.kptrXchg(map, index: plan.early, taken)
            precondition(displaced == nil, "the early slot was not empty")
            if passed && race.walkAt.load(ordering: .acquiring) <= plan.late { tally.racingFrees += 1 }
            race.moved.store(true, ordering: .releasing)
        }

        world.close(allocatorFD)  // the program holds the allocator map: its unload is the kill
        race.unload.store(1, ordering: .releasing)
        world.close(programFD)    // unload: the walk, raced by the move
        race.unload.store(2, ordering: .releasing)
        crew.waitForJob()
        program.walkStep = nil
        world.close(racerFD)
        world.close(mapFD)        // map free: the moved object is freed here
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.movesBehindWalk = tally.racingFrees
        return report
    }
}
