import Atomics
import BPFModel
import Strategies

/// Kumar's hole 1: while the unloading program's walk reads the value map (slot, then the
/// object's header), a second program on the other pinned worker `kptr_xchg`s values out and
/// frees them. Each iteration draws a plan from the seed: map size, which values the racer
/// takes, how long it waits, and how wide the walk's window between the slot read and the
/// header read is (the `walkInterleave` hook spins, or waits until the racer is done).
/// The racer is a real concurrent thread and runs the same plan whatever the strategy: where
/// there is no walk it races the kill instead (the allocator map's fd is closed first, so the
/// program's unload is also the kill).
///
/// One value (the anchor) is never touched by the racer, so the walk always finds a live
/// object: no strategy destroys the allocator while the racer's free may still be running
/// (a free truly concurrent with a destroy would corrupt the model itself, not just be seen).
enum ConcurrentWalk: ScenarioScript {
    struct Plan {
        let values: Int
        let anchor: Int
        /// Values the racer empties and frees, in order; the first is the target.
        let racerSlots: [Int]
        /// The walk's window at the target waits for the racer to finish (else it spins), and
        /// the racer waits for the walk to reach the target (or, with no walk, for the unload
        /// to return) instead of giving up after `racerPatience`.
        let wideWindow: Bool
        let walkDelay: Int
        /// Narrow windows: spin turns the racer waits after the unload starts before going
        /// without the walk (no walk, or one that has not reached the target yet).
        let racerPatience: Int
        let racerDelay: Int

        init(_ rng: inout ScenarioRandom) {
            let n = Int.random(in: 3...8, using: &rng)
            let a = Int.random(in: 0..<n, using: &rng)
            var others = (0..<n).filter { $0 != a }
            others.shuffle(using: &rng)
            let count = Bool.random(using: &rng) ? 2 : 1
            values = n
            anchor = a
            racerSlots = Array(others.prefix(count))
            wideWindow = Bool.random(using: &rng)
            walkDelay = Int.random(in: 0..<2_000, using: &rng)
            racerPatience = Bool.random(using: &rng) ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<512, using: &rng)
            racerDelay = Int.random(in: 0..<256, using: &rng)
        }
    }

    /// Shared by the walk (coordinator) and the racer.
    final class Race: @unchecked Sendable {
        let walkAt = ManagedAtomic<Int>(-1)
        /// The racer's frees are done (under `rcu` their units are parked).
        let racerDone = ManagedAtomic<Bool>(false)
        /// The racer's freed units went back to the allocator (at once under `immediate`,
        /// after a grace period under `rcu`).
        let racerReclaimed = ManagedAtomic<Bool>(false)
        /// 0 before the unload, 1 while it runs (walk and kill), 2 after.
        let unload = ManagedAtomic<Int>(0)
    }

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let plan = Plan(&rng)
        var ledger = Ledger(.concurrentWalk, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (map, mapFD) = world.createArrayMap(values: plan.values)
        let (program, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, racerFD) = world.loadProgram(usedMaps: [map])  // xchg + bpf_obj_drop: no allocator map

        for i in 0..<plan.values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }

        let race = Race()
        let target = plan.racerSlots[0]
        let checker = world.checker!
        program.walkInterleave = { _, index, _ in
            race.walkAt.store(index, ordering: .releasing)
            guard index == target else { return }
            let window = {
                if plan.wideWindow {
                    // Until the racer's free is reused — or, for a walk inside its read-side
                    // section, until that reuse waits for the grace period the walk holds up (a
                    // reader cannot wait for a grace period).
                    Spin.until {
                        race.racerReclaimed.load(ordering: .acquiring)
                            || (ExecutionContext.readSections > 0 && race.racerDone.load(ordering: .acquiring)
                                && checker.gracePeriodWaiters.load(ordering: .acquiring) > 0)
                    }
                    // Then stay in the window: a grace period this walk did not hold up would end now.
                    Spin.linger(nanoseconds: ScenarioModel.lingerNanoseconds) { race.racerReclaimed.load(ordering: .acquiring) }
                } else {
                    Spin.pause(plan.walkDelay)
                }
            }
            if replay.planted(.walkOutsideReadSection) { ExecutionContext.outsideReadSection(window) } else { window() }
        }

        let tally = HelperTally()
        crew.start { racer(plan, race, world, map, target: target, tally: tally) }

        world.close(allocatorFD)  // the program now holds the allocator map: its unload is the kill
        race.unload.store(1, ordering: .releasing)
        world.close(programFD)    // unload: walk (raced), then the allocator map goes
        race.unload.store(2, ordering: .releasing)
        crew.waitForJob()
        program.walkInterleave = nil
        world.close(racerFD)
        world.close(mapFD)        // map free: remaining objects freed, used_allocators dropped
        world.tearDownGlobal()

        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = tally.frees
        report.racingFrees = tally.racingFrees
        return report
    }

    /// The helper CPU's program: follow the walk to the target slot (or, without a walk to
    /// follow, go at once into the kill), then xchg + free the racer's slots.
    static func racer<S: LifetimeStrategy>(_ plan: Plan, _ race: Race, _ world: BPFWorld<S>, _ map: ArrayMap<S>, target: Int,
                                           tally: HelperTally) {
        var waited = 0
        var walkReachedTarget = false
        Spin.until {
            if race.walkAt.load(ordering: .acquiring) >= target {
                walkReachedTarget = true
                return true
            }
            let unload = race.unload.load(ordering: .acquiring)
            // A wide window follows the walk strictly: the walk always reaches the target
            // (nobody else empties it), so the fault, where there is a walk, is certain.
            if plan.wideWindow { return unload == 2 }
            guard unload > 0 else { return false }
            waited += 1
            return waited > plan.racerPatience
        }
        // Inside the walk's window: land the xchg + free somewhere in it. Without a walk
        // to follow: go at once, into the kill.
        if walkReachedTarget { Spin.pause(plan.racerDelay) }
        for slot in plan.racerSlots {
            let before = race.unload.load(ordering: .acquiring)
            // One program run: old = kptr_xchg(&v->kptr, NULL); if (old) bpf_obj_drop(old).
            if let old = world.kptrXchg(map, index: slot, nil) {
                world.objDrop(old, cpu: ScenarioCrew.helperCPU)
                tally.frees += 1
                if before == 1 && race.unload.load(ordering: .acquiring) == 1 { tally.racingFrees += 1 }
            }
        }
        race.racerDone.store(true, ordering: .releasing)
        world.reclaimParkedUnits()  // the RCU callbacks of these frees, after a grace period
        race.racerReclaimed.store(true, ordering: .releasing)
    }
}
