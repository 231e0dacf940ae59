import BPFModel
import Strategies

/// Kumar's hole 2, as in the thread: the program stores an object into an inner map it
/// reaches through map-in-map; user space deletes the outer entry but keeps the inner map's
/// fd; the program unloads (its used_maps reach the outer map, never the inner one) and the
/// allocator map is freed; closing the inner fd at last frees the object. Deterministic.
enum MapInMapEscape: ScenarioScript {
    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        let cpu = ScenarioCrew.coordinatorCPU
        var ledger = Ledger(.mapInMapEscape, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (outer, outerFD) = world.createMapOfMaps(entries: 1)
        let (inner, innerFD) = world.createArrayMap(values: 1)
        world.updateOuter(outer, index: 0, with: inner)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, outer])

        // The program: obj = bpf_obj_alloc(); v = lookup(outer, 0); kptr_xchg(&v->kptr, obj).
        let object = try ledger.allocate(world, allocatorMap, cpu: cpu)
        guard let reached = outer.lookup(0) else { throw ledger.fail("outer entry 0 empty") }
        try ledger.require(world.kptrXchg(reached, index: 0, object) == nil, "inner value not empty")

        world.deleteOuter(outer, index: 0)  // the outer entry goes; the inner fd stays open
        world.close(programFD)              // unload: the walk sees the outer map only
        world.close(allocatorFD)            // the allocator map is freed
        world.close(innerFD)                // the inner map's free frees the object
        world.close(outerFD)
        world.tearDownGlobal()
        return IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
    }
}
