import BPFModel
import MemAlloc
import Platform
import Strategies
import Testing

/// The `rcu` reuse rule's mechanism, one thread at a time: a freed unit stays parked (header
/// intact) until a real grace period, which a walk inside its read-side section holds up.
@Suite(.tags(.memory)) struct ReuseRuleTests {
    static let topology = Topology.synthetic(cpus: 2, nodes: 1)

    /// The walk's window frees the object it just read from a slot (another program's xchg +
    /// drop, done inline here), optionally lets a grace period pass from outside the walk's
    /// section, then the walk reads the header. Returns the checker's first violation.
    static func walkRacingAFree(_ rule: ReuseRule, gracePeriodInWindow: Bool) throws -> LifetimeChecker.Event? {
        let world = try BPFWorld<LazyStrategy>(topology: topology, checked: true, reuse: rule)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let (map, mapFD) = world.createArrayMap(values: 2)
        let (program, progFD) = world.loadProgram(usedMaps: [allocMap, map])
        for i in 0..<2 { _ = world.kptrXchg(map, index: i, try #require(world.objNew(allocMap, size: 64, cpu: 0))) }
        program.walkInterleave = { m, index, _ in
            guard index == 1, let old = world.kptrXchg(m, index: 1, nil) else { return }
            world.objDrop(old, cpu: 1)
            if gracePeriodInWindow {
                // The reclaim waits a grace period: possible only outside the walk's section.
                ExecutionContext.outsideReadSection { world.reclaimParkedUnits() }
            }
        }
        world.close(allocFD)
        world.close(progFD)
        world.close(mapFD)
        world.reclaimParkedUnits()
        return world.checker!.firstViolation
    }

    @Test func immediateReuseMakesTheWalkReadAFreedHeader() throws {
        let v = try Self.walkRacingAFree(.immediate, gracePeriodInWindow: false)
        #expect(v?.description.contains("read the header of freed object") == true, "\(String(describing: v))")
    }

    @Test func rcuKeepsTheUnitParkedForTheWalksReadSideSection() throws {
        #expect(try Self.walkRacingAFree(.rcu, gracePeriodInWindow: false) == nil)
    }

    /// The negative control of the mechanism: a grace period that the walk does not hold up
    /// reclaims the unit before the header read.
    @Test func aGracePeriodOutsideTheSectionReclaimsTheUnitFirst() throws {
        let v = try Self.walkRacingAFree(.rcu, gracePeriodInWindow: true)
        #expect(v?.description.contains("read the header of freed object") == true, "\(String(describing: v))")
    }

    /// Frees park their units; the destroy waits a grace period and reclaims them: nothing leaked.
    @Test func destroyReclaimsParkedUnitsFirst() throws {
        let world = try BPFWorld<LazyStrategy>(topology: Self.topology, checked: true, reuse: .rcu)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let (map, mapFD) = world.createArrayMap(values: 3)
        let (_, progFD) = world.loadProgram(usedMaps: [allocMap, map])
        let objects = try (0..<3).map { _ in try #require(world.objNew(allocMap, size: 64, cpu: 0)) }
        for (i, o) in objects.enumerated() { _ = world.kptrXchg(map, index: i, o) }
        world.close(progFD)
        world.close(allocFD)
        world.close(mapFD)  // frees all three (parked), then the last owner: the destroy
        let checker = try #require(world.checker)
        #expect(checker.reclaimedUnits == 3)
        #expect(checker.parkedUnits == 0)
        #expect(allocMap.lifetime.destroyReport?.leakedObjects == 0)
        #expect(checker.firstViolation == nil)
    }

    /// A second unload walk finds an object of an allocator already killed: refcount_inc on the
    /// zero owner count is refcount_t's "addition on 0" (recorded); inc-not-zero refuses it.
    @Test(arguments: ReuseRule.allCases)
    func walkAndAnAllocatorWhoseOwnersAreGone(rule: ReuseRule) throws {
        let world = try BPFWorld<HybridStrategy>(topology: Self.topology, checked: true, reuse: rule)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        let (map, mapFD) = world.createArrayMap(values: 1)
        let (_, progFD) = world.loadProgram(usedMaps: [allocMap, map])
        let (second, secondFD) = world.loadProgram(usedMaps: [map])
        let object = try #require(world.objNew(allocMap, size: 64, cpu: 0))
        world.close(progFD)
        world.close(allocFD)  // the walk found nothing: the kill
        #expect(allocMap.lifetime.owners == 0)
        _ = world.kptrXchg(map, index: 0, object)
        world.close(secondFD)  // its unload walk finds the object
        #expect(second.unloadReport?.allocatorsCollected == 0)
        world.close(mapFD)
        let v = world.checker!.firstViolation
        if rule == .immediate {
            #expect(v == .ownerReferenceFromZero(allocator: allocMap.lifetime.serial))
        } else {
            #expect(v == nil)
            #expect(allocMap.lifetime.destroyCount == 1)
        }
    }

    /// The last put in an NMI: the release is deferred until the NMI returns; the planted inline
    /// destroy is flagged.
    @Test(arguments: [false, true])
    func lastPutInNMI(inline: Bool) throws {
        let world = try BPFWorld<AtomicStrategy>(topology: Self.topology, checked: true)
        let (allocMap, allocFD) = try world.createAllocatorMap()
        allocMap.lifetime.destroysInlineInAnyContext = inline
        let object = try #require(world.objNew(allocMap, size: 64, cpu: 0))
        world.close(allocFD)
        ExecutionContext.run(.nmi) {
            world.objDrop(object, cpu: 1)
            #expect(allocMap.lifetime.isDestroyed == inline)
            #expect(ExecutionContext.pendingDeferredWork == (inline ? 0 : 1))
        }
        #expect(allocMap.lifetime.isDestroyed)
        let events = world.checker!.events.filter(\.isContextViolation)
        #expect(events.count == (inline ? 1 : 0))
        if inline { #expect(events.first?.description.contains("inline in nmi context") == true) }
    }
}
