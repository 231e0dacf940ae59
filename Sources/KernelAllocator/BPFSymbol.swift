/// One compiled BPF object: `bpf/<rawValue>.bpf.c` (plus the headers it includes), built by
/// `BPFBuild` and loaded by `BPFObject`. Each has its own table of programs, maps and globals
/// (BPFTables.swift); no loader names a program or map any other way.
public enum BPFSource: String, CaseIterable, Sendable {
    case strategies
    case objPair = "obj_pair"
    case objSlots = "obj_slots"
    case htabChurn = "htab_churn"
    case harness
    case objPairSyscall = "obj_pair_syscall"
    case nativeRefs = "native_refs"
    case anatomy
}

/// An enum of one object's C symbols (programs, maps or .bss globals): the raw value is the
/// symbol, `source` the object that defines it.
public protocol BPFSymbol: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    static var source: BPFSource { get }
}

/// Programs (`SEC(...)` functions), looked up with `bpf_object__find_program_by_name`.
public protocol BPFProgramSymbol: BPFSymbol {}
/// Maps (`SEC(".maps")`), looked up with `bpf_object__find_map_by_name`.
public protocol BPFMapSymbol: BPFSymbol {}
/// Globals in `.bss`, found through the object's BTF datasec.
public protocol BPFGlobalSymbol: BPFSymbol {}

/// A program of any object: a loader that holds programs of several objects (KernelCase, one
/// per subject) keys them by this. Made only from a table entry.
public struct BPFProgramID: Hashable, Sendable, CustomStringConvertible {
    public let source: BPFSource
    public let symbol: String
    public init<P: BPFProgramSymbol>(_ program: P) {
        source = P.source
        symbol = program.rawValue
    }
    public var description: String { symbol }
}

/// A map of any object, made only from a table entry.
public struct BPFMapID: Hashable, Sendable, CustomStringConvertible {
    public let source: BPFSource
    public let symbol: String
    public init<M: BPFMapSymbol>(_ map: M) {
        source = M.source
        symbol = map.rawValue
    }
    public var description: String { symbol }
}

extension BPFProgramSymbol {
    public var id: BPFProgramID { BPFProgramID(self) }
}

extension BPFMapSymbol {
    public var id: BPFMapID { BPFMapID(self) }
}
