import BPFModel
import MemAlloc
import Platform
import Results
import Strategies

/// The model machine every scenario world uses: two worker CPUs (the coordinator's program on
/// CPU 0, the second program on CPU 1) on one node, plus the world's control CPU. Model CPUs
/// are mapped onto the real CPUs of `ScenarioSettings.cpus` by the pinned workers.
enum ScenarioModel {
    static let topology = Topology.synthetic(cpus: 2, nodes: 1)
    /// Object size of every `bpf_obj_alloc` (kmem-cache's fixed size too): a 72-byte unit on
    /// the fixed-size path, the 96-byte class on the size-class path.
    static let objectSize = ScenarioSettings.objectSize
    /// How long a reader stays in its window after it saw a grace period start (`Spin.linger`):
    /// 200 µs, far above the few µs a liburcu QSBR grace period takes when nobody holds it.
    static let lingerNanoseconds = 200_000
}

/// What one run of a script gave: the audit of its world plus counts for the evidence line.
struct IterationReport {
    var audit: WorldAudit
    /// Frees done by the second program (the helper).
    var helperFrees = 0
    /// Of those, frees that started and ended while the unload or kill was in progress.
    var racingFrees = 0
    /// moved-behind-walk: the object moved while the walk was between the two slots.
    var movesBehindWalk = 0
    /// last-put-in-nmi: releases asked for inside an NMI and deferred out of it.
    var deferredReleases = 0
}

/// How one replay runs: the reuse rule of its world and the bug planted in it, if any.
struct Replay {
    let rule: ReuseRule
    let plant: Plant?

    /// A fresh checked world under this replay's reuse rule.
    func makeWorld<S: LifetimeStrategy>(_: S.Type) throws -> BPFWorld<S> {
        try BPFWorld<S>(topology: ScenarioModel.topology, checked: true, reuse: rule)
    }

    func planted(_ p: Plant) -> Bool { plant == p }
}

/// One scenario's script: builds a checked world, replays the events, tears every object
/// down and audits the world. Runs on the coordinator (pinned, an online QSBR reader).
protocol ScenarioScript {
    static func run<S: LifetimeStrategy>(_: S.Type, rng: inout ScenarioRandom, crew: ScenarioCrew, replay: Replay) throws -> IterationReport
}

/// Counts the script's allocations and fails the script (not the verdict) when one fails.
struct Ledger {
    let scenario: Scenario
    let strategy: String
    let replay: Replay
    private(set) var allocated = 0

    init(_ scenario: Scenario, _ strategy: String, _ replay: Replay) {
        self.scenario = scenario
        self.strategy = strategy
        self.replay = replay
    }

    /// `bpf_obj_alloc(&alloc_map, size)` on `cpu`; throws if the model refuses. The planted
    /// `skipObjectReference` drops the first object's reference right after it is taken.
    mutating func allocate<S>(_ world: BPFWorld<S>, _ map: AllocatorMap<S>, cpu: Int) throws -> UnsafeMutableRawPointer {
        guard let object = world.objNew(map, size: ScenarioModel.objectSize, cpu: cpu) else {
            throw fail("bpf_obj_alloc failed on CPU \(cpu)")
        }
        if allocated == 0 && replay.planted(.skipObjectReference) && S.countsObjects {
            let owner = MemAllocator.ownerCache(of: object)
            S.objectFreed(words: MemAllocator.lifetimeWords(of: owner), owner: owner, cpu: cpu)
        }
        allocated += 1
        return object
    }

    func fail(_ step: String) -> ScenarioError {
        ScenarioError.scriptFailed(scenario: scenario.rawValue, strategy: strategy, step: step)
    }

    /// Throws unless `condition` holds.
    func require(_ condition: Bool, _ step: @autoclosure () -> String) throws {
        if !condition { throw fail(step()) }
    }
}
