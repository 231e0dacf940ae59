import BPFModel
import MemAlloc
import Platform
import Strategies
import Testing

/// The thread's hazards, scripted through the general world API in checked mode.
@Suite(.tags(.memory)) struct HazardScenarioTests {
    static let topology = Topology.synthetic(cpus: 2, nodes: 1)

    /// Kumar's second hole: the object sits in an inner map reached only through map-in-map;
    /// the outer entry is deleted with the inner fd kept open; the program unloads and the
    /// allocator map goes; closing the inner fd frees the object. The control keeps the entry:
    /// the walk then reaches the inner map through the outer one, its used_allocators keeps
    /// the allocator, and every strategy is safe — the delete opens the hole, not map-in-map.
    @Test(arguments: StrategyKind.allCases, [true, false])
    func mapInMapWithInnerFdKeptOpen(kind: StrategyKind, deleteOuterEntry: Bool) throws {
        struct Body: LifetimeCaseTestBody {
            let deleteOuterEntry: Bool
            func run<S: LifetimeStrategy>(_: S.Type) throws {
                let world = try BPFWorld<S>(topology: HazardScenarioTests.topology, checked: true)
                let (allocMap, allocFD) = try world.createAllocatorMap()
                let (outer, outerFD) = world.createMapOfMaps(entries: 1)
                let (inner, innerFD) = world.createArrayMap(values: 1)
                world.updateOuter(outer, index: 0, with: inner)
                let (program, progFD) = world.loadProgram(usedMaps: [allocMap, outer])
                let object = try #require(world.objNew(allocMap, size: 64, cpu: 0))
                #expect(world.kptrXchg(try #require(outer.lookup(0)), index: 0, object) == nil)
                if deleteOuterEntry { world.deleteOuter(outer, index: 0) }
                world.close(progFD)
                if S.collectsUsedAllocators && !deleteOuterEntry {
                    #expect(program.unloadReport?.allocatorsCollected == 1)
                    #expect(inner.usedAllocators == [allocMap.lifetime])
                }
                world.close(allocFD)
                world.close(innerFD)
                world.close(outerFD)  // without the delete, this frees the inner map and its object
                world.tearDownGlobal()
                let lifetime = allocMap.lifetime
                if deleteOuterEntry && S.collectsUsedAllocators && !S.countsObjects {
                    // lazy, kmem-cache: the allocator died with the object live, and the
                    // inner map's free then freed into it.
                    #expect(world.checker?.firstViolation == .objectFreedIntoDestroyedAllocator(
                        object: UInt(bitPattern: object), allocator: lifetime.serial))
                } else {
                    #expect(world.checker?.firstViolation == nil)
                    #expect(lifetime.destroyCount == 1)
                    #expect(lifetime.destroyReport?.isClean == true)
                }
            }
        }
        try kind.accept(ForEachStrategy(body: Body(deleteOuterEntry: deleteOuterEntry)))
    }

    /// Kumar's first hole: while the unload walk reads a slot, another program xchg's the
    /// object out and frees it; the walk then reads the header of a freed object.
    @Test(arguments: StrategyKind.allCases)
    func concurrentXchgDuringTheUnloadWalk(kind: StrategyKind) throws {
        struct Body: LifetimeCaseTestBody {
            func run<S: LifetimeStrategy>(_: S.Type) throws {
                let world = try BPFWorld<S>(topology: HazardScenarioTests.topology, checked: true)
                let (allocMap, allocFD) = try world.createAllocatorMap()
                let (map, mapFD) = world.createArrayMap(values: 2)
                let (program, progFD) = world.loadProgram(usedMaps: [allocMap, map])
                let (_, otherFD) = world.loadProgram(usedMaps: [allocMap, map])  // the racing program
                let object = try #require(world.objNew(allocMap, size: 64, cpu: 0))
                _ = world.kptrXchg(map, index: 1, object)
                program.walkInterleave = { map, index, _ in
                    // The other program, on CPU 1: kptr_xchg the field and release it.
                    if let taken = map.exchange(index: index, with: nil) { map.world.objDrop(taken, cpu: 1) }
                }
                world.close(progFD)
                world.close(otherFD)
                world.close(allocFD)
                world.close(mapFD)
                world.tearDownGlobal()
                let violation = world.checker?.firstViolation
                if S.collectsUsedAllocators {
                    #expect(violation == .walkReadFreedObject(object: UInt(bitPattern: object), map: map.id))
                } else {
                    #expect(violation == nil)  // no walk: nothing to race
                }
                #expect(allocMap.lifetime.destroyCount == 1)
            }
        }
        try kind.accept(ForEachStrategy(body: Body()))
    }

    /// A pinned map outlives every program and fd; its objects keep the allocator alive until
    /// the pin goes, under every strategy.
    @Test(arguments: StrategyKind.allCases)
    func pinnedMapOutlivesPrograms(kind: StrategyKind) throws {
        struct Body: LifetimeCaseTestBody {
            func run<S: LifetimeStrategy>(_: S.Type) throws {
                let world = try BPFWorld<S>(topology: HazardScenarioTests.topology, checked: true)
                let (allocMap, allocFD) = try world.createAllocatorMap()
                let (map, mapFD) = world.createArrayMap(values: 8)
                world.pin(mapFD, at: "/sys/fs/bpf/values")
                world.close(mapFD)
                let (_, progFD) = world.loadProgram(usedMaps: [allocMap, map])
                for i in 0..<8 { _ = world.kptrXchg(map, index: i, world.objNew(allocMap, size: 100, cpu: i % 2)) }
                world.close(progFD)
                world.close(allocFD)
                let lifetime = allocMap.lifetime
                #expect(!lifetime.isDestroyed || S.isImmortal)
                #expect(map.storedObjects == 8)
                let again = world.openPinned("/sys/fs/bpf/values")
                world.unpin("/sys/fs/bpf/values")
                #expect(!map.isFreed)
                world.close(again)
                #expect(map.isFreed)
                world.tearDownGlobal()
                #expect(lifetime.destroyCount == 1)
                #expect(lifetime.destroyReport?.isClean == true)
                #expect(world.checker?.events == [])
            }
        }
        try kind.accept(ForEachStrategy(body: Body()))
    }

    /// Planted fault: a lazy allocator map closed with an object held outside any map; its
    /// later free is caught, and not performed.
    @Test func plantedFreeIntoDestroyedAllocatorIsCaught() throws {
        let c = try LifetimeCase<LazyStrategy>(topology: Self.topology, objectSize: 64, mapSlots: 1, checked: true)
        let o = try #require(c.allocate(size: 64, cpu: 0))
        c.kill()  // the walk finds nothing: the allocator is destroyed with `o` live
        #expect(c.destroyCount == 1)
        c.free(o, cpu: 0)
        #expect(c.checker?.firstViolation == .objectFreedIntoDestroyedAllocator(
            object: UInt(bitPattern: o), allocator: c.allocatorMap.lifetime.serial))
        #expect(c.checker?.events.first == .allocatorDestroyedWithLiveObjects(allocator: c.allocatorMap.lifetime.serial, objects: 1))
    }

    @Test func plantedDoubleDestroyAndDoubleFreeAreCaught() throws {
        let world = try BPFWorld<AtomicStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let o = try #require(world.objNew(allocMap, size: 16, cpu: 0))
        world.objDrop(o, cpu: 0)
        world.objDrop(o, cpu: 0)
        #expect(world.checker?.firstViolation == .freeOfUnknownObject(object: UInt(bitPattern: o)))
        world.close(allocFD)
        allocMap.lifetime.destroyAllocator()
        #expect(world.checker?.events.last == .allocatorDestroyedTwice(allocator: allocMap.lifetime.serial))
        #expect(world.objNew(allocMap, size: 16, cpu: 0) == nil)
        #expect(world.checker?.events.last == .allocatorTouchedAfterDestroy(allocator: allocMap.lifetime.serial, operation: "bpf_obj_alloc"))
    }
}
