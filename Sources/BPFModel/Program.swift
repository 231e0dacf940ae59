import Strategies

/// What unloading a program did: the used_allocators walk (lazy, kmem-cache, hybrid).
public struct UnloadReport: Equatable, Sendable {
    public var walkNanoseconds: Int?
    public var valuesWalked: Int
    public var allocatorsCollected: Int
}

/// A loaded BPF program: holds a reference to every map in `used_maps`. Unloading it (its last
/// reference dropped) runs the used_allocators walk when the strategy asks for one, then drops
/// the used maps — possibly freeing the allocator map, which is the kill.
public final class Program<S: LifetimeStrategy>: BPFObject {
    public unowned let world: BPFWorld<S>
    public let usedMaps: [BPFMap<S>]
    /// For evidence lines: `drain`, `nmi_drain`.
    public let name: String
    /// Runs so far (`run(cpu:context:_:)`); a program runs on one worker at a time here.
    private var runs = 0
    /// How long the last run lasted, from its start to its last release.
    public internal(set) var lastRunNanoseconds = 0
    /// Runs inside the walk between reading a slot and the object's header: scenarios race a
    /// `kptr_xchg` + free there.
    public var walkInterleave: ((ArrayMap<S>, Int, UnsafeMutableRawPointer) -> Void)?
    /// Runs inside the walk before each value's slot is read (empty ones too): scenarios move
    /// objects behind the walk there.
    public var walkStep: ((ArrayMap<S>, Int) -> Void)?
    /// A planted bug for negative controls: the unload skips the used_allocators walk.
    public var skipsWalk = false
    public private(set) var unloadReport: UnloadReport?

    init(world: BPFWorld<S>, usedMaps: [BPFMap<S>], name: String) {
        self.world = world
        self.usedMaps = usedMaps
        self.name = name
        super.init(id: world.nextObjectID())
        for map in usedMaps { map.hold() }
    }

    func nextRun() -> Int {
        runs += 1
        return runs
    }

    /// The program's allocator map, if it uses one (`bpf_obj_alloc(&alloc_map, ...)`).
    public var allocatorMap: AllocatorMap<S>? { usedMaps.lazy.compactMap { $0 as? AllocatorMap<S> }.first }

    override public func freeObject(cpu: Int) {
        var report = UnloadReport(walkNanoseconds: nil, valuesWalked: 0, allocatorsCollected: 0)
        if S.collectsUsedAllocators && !skipsWalk {
            let start = MonotonicClock.nanoseconds()
            // Every value of every used map; a map-in-map's values are inner maps, walked in
            // turn (their used_allocators collect). An inner map whose outer entry was deleted
            // is reachable from no used map: the walk cannot see it (Kumar's second hole).
            var maps: [ArrayMap<S>] = []
            for map in usedMaps {
                if let array = map as? ArrayMap<S> { maps.append(array) }
                if let outer = map as? MapOfMaps<S> { maps += (0..<outer.entryCount).compactMap { outer.lookup($0) } }
            }
            for map in maps {
                let (walked, collected) = map.collectUsedAllocators(step: walkStep, interleave: walkInterleave)
                report.valuesWalked += walked
                report.allocatorsCollected += collected
            }
            report.walkNanoseconds = MonotonicClock.nanoseconds() - start
        }
        unloadReport = report
        for map in usedMaps { map.drop(cpu: cpu) }
    }
}
