import Strategies

/// Which run of which program: `run 2 of program 5 (drain)`.
public struct RunID: Hashable, Sendable, CustomStringConvertible {
    public let program: Int
    public let programName: String
    public let run: Int

    public init(program: Int, programName: String, run: Int) {
        self.program = program
        self.programName = programName
        self.run = run
    }

    public var description: String { "run \(run) of program \(program) (\(programName))" }
}

/// An object a program run owns: what the verifier calls an acquired reference (the result of
/// `bpf_obj_new` or of a `bpf_kptr_xchg` that took an object out). It is valid only inside the
/// run that acquired it, and must be released in that run: stored back with `kptrXchg` or
/// dropped with `objDrop`.
public struct OwnedReference: Hashable, Sendable {
    public let address: UInt
    public let owner: RunID

    public var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: address)! }
}

/// Why the model refused a run: what the verifier rejects at load ("Unreleased reference"),
/// or a reference carried from one run into another, which no program can express.
public enum ProgramRunError: Error, Equatable, CustomStringConvertible {
    case referenceHeldAtExit(run: RunID, objects: Int)
    case referenceFromAnotherRun(run: RunID, owner: RunID)

    public var description: String {
        switch self {
        case .referenceHeldAtExit(let r, let n): return "\(r) ended holding \(n) acquired reference\(n == 1 ? "" : "s")"
        case .referenceFromAnotherRun(let r, let o): return "\(r) used a reference acquired by \(o)"
        }
    }
}

/// One run of a loaded program: in BPF program context (or an NMI), inside one read-side
/// section (a non-sleepable program runs under `rcu_read_lock`), on one CPU. Every reference
/// the run acquires must be released before it returns: `Program.run` throws otherwise, so
/// "an object held across runs" cannot be replayed.
public final class ProgramRun<S: LifetimeStrategy> {
    public let id: RunID
    public let cpu: Int
    public let context: ExecutionContext.Kind
    unowned let world: BPFWorld<S>
    /// Acquired references not released yet, in acquisition order.
    public private(set) var held: [OwnedReference] = []
    private(set) var misuse: ProgramRunError?
    fileprivate(set) var isOpen = true
    public let startNanoseconds = MonotonicClock.nanoseconds()

    init(id: RunID, world: BPFWorld<S>, cpu: Int, context: ExecutionContext.Kind) {
        self.id = id
        self.world = world
        self.cpu = cpu
        self.context = context
    }

    /// `bpf_obj_new`: the new object is an acquired reference of this run.
    public func objNew(_ map: AllocatorMap<S>, size: Int) -> OwnedReference? {
        precondition(isOpen, "\(id) has ended")
        guard let p = world.objNew(map, size: size, cpu: cpu) else { return nil }
        return acquire(p)
    }

    /// `bpf_kptr_xchg(&map[index].kptr, ref)`: `ref` (if any) is released into the map; the old
    /// object (if any) is acquired by this run.
    public func kptrXchg(_ map: ArrayMap<S>, index: Int, _ ref: OwnedReference?) -> OwnedReference? {
        precondition(isOpen, "\(id) has ended")
        if let ref, !release(ref) { return nil }
        return world.kptrXchg(map, index: index, ref?.pointer).map(acquire)
    }

    /// `bpf_obj_drop(ref)`: releases the reference and frees the object.
    public func objDrop(_ ref: OwnedReference) {
        precondition(isOpen, "\(id) has ended")
        guard release(ref) else { return }
        world.objDrop(ref.pointer, cpu: cpu)
    }

    private func acquire(_ p: UnsafeMutableRawPointer) -> OwnedReference {
        let ref = OwnedReference(address: UInt(bitPattern: p), owner: id)
        held.append(ref)
        return ref
    }

    /// False (and the run refused) for a reference this run does not hold.
    private func release(_ ref: OwnedReference) -> Bool {
        guard ref.owner == id, let i = held.firstIndex(of: ref) else {
            if misuse == nil { misuse = .referenceFromAnotherRun(run: id, owner: ref.owner) }
            return false
        }
        held.remove(at: i)
        return true
    }
}

extension Program {
    /// Runs the program once on `cpu` in `context` (`.program`, or `.nmi` for a perf_event
    /// program on an NMI): one read-side section; a release asked for inside is deferred until
    /// the thread may sleep. Throws `ProgramRunError` when the run ends holding an acquired
    /// reference or used one from another run (the held objects stay allocated: the run is
    /// refused, not repaired).
    public func run<R>(cpu: Int, context: ExecutionContext.Kind = .program,
                       _ body: (ProgramRun<S>) throws -> R) throws -> R {
        let run = ProgramRun(id: RunID(program: id, programName: name, run: nextRun()), world: world, cpu: cpu, context: context)
        let result = try ExecutionContext.run(context) {
            try world.readSide {
                defer { lastRunNanoseconds = MonotonicClock.nanoseconds() - run.startNanoseconds }
                return try body(run)
            }
        }
        run.isOpen = false
        if let misuse = run.misuse { throw misuse }
        if !run.held.isEmpty { throw ProgramRunError.referenceHeldAtExit(run: run.id, objects: run.held.count) }
        return result
    }
}
