/// One step of a scenario's BPF shape, in order: a control-plane syscall (user space on
/// CPU 0), a program run, or a syscall with runs on the other CPU overlapping it.
public enum ShapeStep: Sendable, Equatable {
    case syscall(ShapeSyscall)
    case run(ShapeRun)
    /// While the syscall runs on CPU 0 (an unload's walk), CPU 1 runs these.
    case during(ShapeSyscall, runs: [ShapeRun])
}

public enum SyscallKind: String, Sendable, Equatable {
    case mapCreate = "BPF_MAP_CREATE"
    case progLoad = "BPF_PROG_LOAD"
    case mapUpdateElem = "BPF_MAP_UPDATE_ELEM"
    case mapDeleteElem = "BPF_MAP_DELETE_ELEM"
    case objPin = "BPF_OBJ_PIN"
    case objGet = "BPF_OBJ_GET"
    case close = "close"
    case unlink = "unlink"
}

/// What a syscall's last reference drop sets off in the kernel.
public enum SyscallEffect: String, Sendable, Equatable {
    /// The program's last reference: unload (lazy, kmem-cache, hybrid: the used_allocators walk).
    case unload = "program unload (used_allocators walk where the strategy has one)"
    /// The allocator map's last reference: the owner goes (lazy: destroy; percpu_ref: kill).
    case kill = "allocator map freed: the kill"
    /// A value map's last reference: map free drops every stored kptr.
    case mapFree = "map free: every stored kptr dropped"
}

/// A syscall on a named map or program (or pin path), with what it sets off, if anything.
public struct ShapeSyscall: Sendable, Equatable {
    public let call: SyscallKind
    public let object: String
    public let effect: SyscallEffect?

    public init(_ call: SyscallKind, _ object: String, _ effect: SyscallEffect? = nil) {
        self.call = call
        self.object = object
        self.effect = effect
    }
}

/// A reference a run acquires, by name (`obj`, `objs[]` for one per value).
public struct HeldRef: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String
    public init(stringLiteral name: String) { self.name = name }
    public var description: String { name }
}

/// Which values a run's `kptr_xchg` touches.
public enum SlotChoice: Sendable, Equatable, CustomStringConvertible {
    case value(Int)
    case everyValue
    /// Drawn per iteration (randomized scenarios).
    case drawn(String)

    public var description: String {
        switch self {
        case .value(let i): return "value \(i)"
        case .everyValue: return "every value"
        case .drawn(let what): return what
        }
    }
}

/// What a run does, in order. Acquiring actions name the reference they acquire; releasing
/// ones name the reference they release.
public enum RunAction: Sendable, Equatable {
    /// `ref = bpf_obj_alloc(&map, size)`.
    case objAlloc(map: String, as: HeldRef)
    /// `v = bpf_map_lookup_elem(&outer, &key)`: no reference acquired.
    case lookupOuter(map: String, key: Int)
    /// `ref = bpf_kptr_xchg(&map[slot].kptr, NULL)`: takes an object out.
    case xchgOut(map: String, slot: SlotChoice, as: HeldRef)
    /// `old = bpf_kptr_xchg(&map[slot].kptr, ref)`: stores `ref`; `old` acquired (if named).
    case xchgIn(map: String, slot: SlotChoice, ref: HeldRef, old: HeldRef?)
    /// `bpf_obj_drop(ref)`.
    case objDrop(HeldRef, when: String?)
    /// The control plane's syscalls (CPU 0) that happen while the run is at this point.
    case meanwhile([ShapeSyscall])
}

/// Runs of one program: where, how often, and what each run does.
public struct ShapeRun: Sendable, Equatable {
    public let program: String
    public let cpu: Int
    public let repeats: Repeats
    public let actions: [RunAction]

    public init(program: String, cpu: Int, repeats: Repeats, actions: [RunAction]) {
        self.program = program
        self.cpu = cpu
        self.repeats = repeats
        self.actions = actions
    }

    public enum Repeats: String, Sendable, Equatable {
        case once = "one run"
        case perValue = "one run per value"
        case perIteration = "one run per iteration"
    }
}
