import BPFModel
import Strategies

/// A pinned map outlives the program: the program stashes objects in a map pinned in bpffs
/// (one stored object replaced, the old one freed); the map's fd is closed, the program
/// unloads, the allocator map is closed. Much later user space reopens the pin, a second
/// program takes one object out and frees it, the pin is removed and the last fd closed:
/// the map's free frees the rest. Deterministic.
enum PinnedMap: ScenarioScript {
    static let path = "/sys/fs/bpf/memalloc-bench/stash"
    static let values = 8

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let cpu = ScenarioCrew.coordinatorCPU
        var ledger = Ledger(.pinnedMap, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (stash, stashFD) = world.createArrayMap(values: values)
        world.pin(stashFD, at: path)
        world.close(stashFD)
        let (program, programFD) = world.loadProgram(usedMaps: [allocatorMap, stash])
        program.skipsWalk = replay.planted(.skipWalk)

        for i in 0..<values {
            let object = try ledger.allocate(world, allocatorMap, cpu: cpu)
            try ledger.require(world.kptrXchg(stash, index: i, object) == nil, "value \(i) not empty")
        }
        let fresh = try ledger.allocate(world, allocatorMap, cpu: cpu)
        guard let replaced = world.kptrXchg(stash, index: 3, fresh) else { throw ledger.fail("value 3 empty") }
        world.objDrop(replaced, cpu: cpu)

        world.close(programFD)    // unload: the walk sees the stash
        world.close(allocatorFD)  // the owner is gone; the stash alone holds objects

        // Much later: reopen the pin; another program takes one object out and frees it.
        let reopened = world.openPinned(path)
        let (_, laterFD) = world.loadProgram(usedMaps: [stash])
        guard let taken = world.kptrXchg(stash, index: 0, nil) else { throw ledger.fail("value 0 empty") }
        world.objDrop(taken, cpu: cpu)
        world.close(laterFD)
        world.unpin(path)
        try ledger.require(!stash.isFreed, "stash freed while an fd was open")
        world.close(reopened)  // the map's free frees the remaining objects
        try ledger.require(stash.isFreed, "stash not freed at its last close")
        world.tearDownGlobal()
        return IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
    }
}
