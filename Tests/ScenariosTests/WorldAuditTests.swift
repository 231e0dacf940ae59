import BPFModel
import MemAlloc
import Platform
import Results
import Scenarios
import Strategies
import Testing

/// The verdict computation on planted faults: every verdict must come from what the checked
/// world observed. Single-threaded: the worlds here have no racing workers.
@Suite(.tags(.memory)) struct WorldAuditTests {
    static let topology = Topology.synthetic(cpus: 2, nodes: 1)

    @Test func cleanWorldIsSafe() throws {
        let world = try BPFWorld<AtomicStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let (map, mapFD) = world.createArrayMap(values: 1)
        let a = try #require(world.objNew(allocMap, size: 64, cpu: 0))
        let b = try #require(world.objNew(allocMap, size: 64, cpu: 1))
        _ = world.kptrXchg(map, index: 0, a)
        world.close(allocFD)
        world.objDrop(b, cpu: 0)
        world.close(mapFD)
        let audit = WorldAudit.audit(world, objectsAllocated: 2)
        #expect(audit.verdict == .safe)
        #expect(audit.evidence == "allocator destroyed once, 0 leaked, 2 objects freed")
        #expect(audit.destroys == 1 && audit.allocators == 1)
    }

    @Test func plantedDoubleDestroyIsUseAfterFree() throws {
        let world = try BPFWorld<AtomicStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let o = try #require(world.objNew(allocMap, size: 64, cpu: 0))
        world.objDrop(o, cpu: 0)
        world.close(allocFD)  // the base reference goes: destroyed
        allocMap.lifetime.destroyAllocator()  // planted: a second destroy
        let audit = WorldAudit.audit(world, objectsAllocated: 1)
        #expect(audit.verdict == .useAfterFree)
        #expect(audit.evidence == "allocator #\(allocMap.lifetime.serial) destroyed twice")
        #expect(audit.destroys == 2)
    }

    @Test func plantedFreeAfterDestroyIsUseAfterFree() throws {
        let world = try BPFWorld<LazyStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let (_, progFD) = world.loadProgram(usedMaps: [allocMap])
        let o = try #require(world.objNew(allocMap, size: 64, cpu: 0))  // held outside any map
        world.close(progFD)
        world.close(allocFD)  // lazy: destroyed with `o` live
        world.objDrop(o, cpu: 1)  // planted: freed into the destroyed allocator
        let audit = WorldAudit.audit(world, objectsAllocated: 1)
        #expect(audit.verdict == .useAfterFree)
        #expect(audit.evidence.hasSuffix("freed into destroyed allocator #\(allocMap.lifetime.serial)"))
    }

    @Test func plantedTouchAfterDestroyIsUseAfterFree() throws {
        let world = try BPFWorld<AtomicStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        world.close(allocFD)
        #expect(world.objNew(allocMap, size: 64, cpu: 0) == nil)  // planted: allocation from a dead allocator
        #expect(WorldAudit.audit(world, objectsAllocated: 0).verdict == .useAfterFree)
    }

    /// An object never freed, whatever keeps (or fails to keep) its allocator: exact bytes are
    /// the object's unit size (64 + 8-byte header: the 96-byte class, or 72 on kmem-cache's
    /// fixed-size path).
    @Test func plantedLeakCountsExactBytes() throws {
        struct Body: StrategyVisitor {
            func visit<S: LifetimeStrategy>(_: S.Type) throws -> Verdict {
                let world = try BPFWorld<S>(topology: WorldAuditTests.topology, checked: true)
                let (allocMap, allocFD) = try world.createAllocatorMap(objectSize: 64)
                let (map, mapFD) = world.createArrayMap(values: 1)
                let (_, progFD) = world.loadProgram(usedMaps: [allocMap, map])
                _ = try #require(world.objNew(allocMap, size: 64, cpu: 0))  // planted: never freed
                world.close(progFD)
                world.close(allocFD)
                world.close(mapFD)
                world.tearDownGlobal()
                return WorldAudit.audit(world, objectsAllocated: 1).verdict
            }
        }
        for kind in StrategyKind.allCases {
            let bytes = kind == .kmemCache ? 72 : 96
            #expect(try kind.accept(Body()) == .leak(objects: 1, bytes: bytes), "\(kind)")
            #expect(try kind.accept(Body()).label == "leak (1 objects, \(bytes) B)")
        }
    }
}
