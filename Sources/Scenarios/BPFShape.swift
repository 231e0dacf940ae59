/// A scenario's BPF shape: the programs and maps it uses and, in order, the control plane's
/// syscalls and the program runs, with the references each run holds. Every reference a run
/// acquires is released in that same run (`unreleased` is empty for every scenario): what a
/// verifier demands, and what `Program.run` enforces when the script replays it.
public struct BPFShape: Sendable, Equatable {
    public let programs: [ShapeProgram]
    public let maps: [ShapeMap]
    public let steps: [ShapeStep]
    /// How long the racing window is, when a run races something (nil: no run holds a
    /// reference while the control plane acts).
    public let window: String?

    public init(programs: [ShapeProgram], maps: [ShapeMap], steps: [ShapeStep], window: String?) {
        self.programs = programs
        self.maps = maps
        self.steps = steps
        self.window = window
    }

    /// Every run, in step order.
    public var runs: [ShapeRun] {
        steps.flatMap { step -> [ShapeRun] in
            switch step {
            case .syscall: return []
            case .run(let r): return [r]
            case .during(_, let runs): return runs
            }
        }
    }

    /// References a run acquires and does not release before it ends: `(program, ref)`.
    /// A shape any verifier accepts has none.
    public var unreleased: [(program: String, ref: HeldRef)] {
        runs.flatMap { run in Self.heldAtExit(run.actions).map { (run.program, $0) } }
    }

    /// Runs that hold a reference while the control plane acts (`meanwhile`): the racing runs.
    public var racingRuns: [ShapeRun] {
        runs.filter { run in
            var held = Set<HeldRef>()
            for action in run.actions {
                if case .meanwhile = action, !held.isEmpty { return true }
                Self.apply(action, to: &held)
            }
            return false
        }
    }

    /// Names the steps use that the shape does not declare (maps, programs, pins).
    public var undeclaredNames: [String] {
        let known = Set(programs.map(\.name) + maps.map(\.name))
        var used: [String] = programs.flatMap(\.usedMaps)
        func add(_ s: ShapeSyscall) { used.append(s.object) }
        for step in steps {
            switch step {
            case .syscall(let s): add(s)
            case .run(let r): used += Self.names(r)
            case .during(let s, let runs): add(s); used += runs.flatMap(Self.names)
            }
        }
        return used.filter { !known.contains($0) }
    }

    private static func names(_ run: ShapeRun) -> [String] {
        [run.program] + run.actions.flatMap { action -> [String] in
            switch action {
            case .objAlloc(let m, _), .lookupOuter(let m, _), .xchgOut(let m, _, _), .xchgIn(let m, _, _, _): return [m]
            case .objDrop: return []
            case .meanwhile(let calls): return calls.map(\.object)
            }
        }
    }

    static func heldAtExit(_ actions: [RunAction]) -> [HeldRef] {
        var held = Set<HeldRef>()
        for action in actions { apply(action, to: &held) }
        return held.sorted { $0.name < $1.name }
    }

    private static func apply(_ action: RunAction, to held: inout Set<HeldRef>) {
        switch action {
        case .objAlloc(_, let r), .xchgOut(_, _, let r): held.insert(r)
        case .xchgIn(_, _, let r, let old):
            held.remove(r)
            if let old { held.insert(old) }
        case .objDrop(let r, _): held.remove(r)
        case .lookupOuter, .meanwhile: break
        }
    }
}
