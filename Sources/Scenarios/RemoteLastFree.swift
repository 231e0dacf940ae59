import BPFModel
import Strategies

/// The last object is freed on another CPU than the one it was allocated on, after its owner
/// is gone: the program on CPU 0 allocates and stores objects, unloads, and the allocator map
/// is closed; then a second program on the other pinned worker (CPU 1, using the value map
/// only) takes every object out and frees it there. Deterministic.
enum RemoteLastFree: ScenarioScript {
    static let values = 4

    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport {
        var ledger = Ledger(.remoteLastFree, S.name, replay)
        let world = try replay.makeWorld(S.self)
        let (allocatorMap, allocatorFD) = try world.createAllocatorMap(objectSize: ScenarioModel.objectSize)
        let (map, mapFD) = world.createArrayMap(values: values)
        let (_, programFD) = world.loadProgram(usedMaps: [allocatorMap, map])
        let (_, remoteFD) = world.loadProgram(usedMaps: [map])

        for i in 0..<values {
            let object = try ledger.allocate(world, allocatorMap, cpu: ScenarioCrew.coordinatorCPU)
            try ledger.require(world.kptrXchg(map, index: i, object) == nil, "value \(i) not empty")
        }
        world.close(programFD)
        world.close(allocatorFD)  // the owner is gone

        let helper = HelperTally()
        let forgetLast = replay.planted(.skipOneFree)
        crew.start {
            for i in 0..<values {
                if let object = world.kptrXchg(map, index: i, nil) {
                    if forgetLast && i == values - 1 { continue }  // planted: taken out, never freed
                    world.objDrop(object, cpu: ScenarioCrew.helperCPU)
                    helper.frees += 1
                }
            }
        }
        crew.waitForJob()
        let expectedFrees = forgetLast ? values - 1 : values
        try ledger.require(helper.frees == expectedFrees, "the remote program freed \(helper.frees) of \(expectedFrees) objects")
        world.close(remoteFD)
        world.close(mapFD)
        world.tearDownGlobal()
        var report = IterationReport(audit: WorldAudit.audit(world, objectsAllocated: ledger.allocated))
        report.helperFrees = helper.frees
        if report.audit.verdict == .safe {
            report.audit.evidence += " (allocated on CPU 0, all \(helper.frees) freed on CPU 1 after the allocator map was closed)"
        }
        return report
    }
}
