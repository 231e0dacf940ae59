import BPFModel
import Platform
import Strategies
import Testing

/// A program run releases every reference it acquires, or the model refuses it: "an object
/// held across runs" cannot be replayed (issue 28).
@Suite(.tags(.memory)) struct ProgramRunTests {
    static let topology = Topology.synthetic(cpus: 2, nodes: 1)

    /// A world with one object stored in value 0, and a program that uses the value map.
    static func world() throws -> (BPFWorld<AtomicStrategy>, ArrayMap<AtomicStrategy>, Program<AtomicStrategy>) {
        let world = try BPFWorld<AtomicStrategy>(topology: topology, checked: true)
        let (allocMap, _) = try world.createAllocatorMap()
        let (map, _) = world.createArrayMap(values: 2)
        _ = world.kptrXchg(map, index: 0, try #require(world.objNew(allocMap, size: 64, cpu: 0)))
        let (program, _) = world.loadProgram(usedMaps: [map], name: "drain")
        return (world, map, program)
    }

    @Test func aRunThatTakesOutAndDropsIsAccepted() throws {
        let (world, map, program) = try Self.world()
        defer { withExtendedLifetime(world) {} }
        let dropped = try program.run(cpu: 1) { run -> Bool in
            guard let obj = run.kptrXchg(map, index: 0, nil) else { return false }
            #expect(run.held == [obj] && obj.owner == run.id)
            run.objDrop(obj)
            return run.held.isEmpty
        }
        #expect(dropped)
        #expect(map.storedObjects == 0)
    }

    @Test func storingTheObjectBackReleasesIt() throws {
        let (world, map, program) = try Self.world()
        defer { withExtendedLifetime(world) {} }
        try program.run(cpu: 1) { run in
            let obj = try #require(run.kptrXchg(map, index: 0, nil))
            #expect(run.kptrXchg(map, index: 1, obj) == nil)
        }
        #expect(map.peek(index: 1) != nil && map.peek(index: 0) == nil)
    }

    /// Planted: the run ends holding the object it took out. Refused, as the verifier refuses
    /// a program that can exit with an unreleased reference.
    @Test func aRunEndingWithAHeldReferenceIsRefused() throws {
        let (world, map, program) = try Self.world()
        defer { withExtendedLifetime(world) {} }
        let want = ProgramRunError.referenceHeldAtExit(run: RunID(program: program.id, programName: "drain", run: 1), objects: 1)
        #expect(throws: want) {
            try program.run(cpu: 1) { run in _ = run.kptrXchg(map, index: 0, nil) }
        }
        #expect(want.description == "run 1 of program \(program.id) (drain) ended holding 1 acquired reference")
    }

    /// Planted: a reference carried out of one run and dropped in the next. The second run is
    /// refused and its drop is not performed.
    @Test func aReferenceCarriedIntoTheNextRunIsRefused() throws {
        let (world, map, program) = try Self.world()
        defer { withExtendedLifetime(world) {} }
        var carried: OwnedReference?
        _ = try? program.run(cpu: 1) { run in carried = run.kptrXchg(map, index: 0, nil) }
        let obj = try #require(carried)
        #expect(throws: ProgramRunError.referenceFromAnotherRun(run: RunID(program: program.id, programName: "drain", run: 2), owner: obj.owner)) {
            try program.run(cpu: 1) { run in run.objDrop(obj) }
        }
        #expect(world.checker?.firstViolation == nil)  // the drop was refused, not committed
    }
}
