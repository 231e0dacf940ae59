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
    case safety
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

/// A program or map of any object, made only from a table entry: a loader that holds symbols of
/// several objects (KernelCase, one per subject) keys them by this.
public struct BPFSymbolID<Kind>: Hashable, Sendable, CustomStringConvertible {
    public let source: BPFSource
    public let symbol: String
    init<S: BPFSymbol>(_ entry: S) {
        source = S.source
        symbol = entry.rawValue
    }
    public var description: String { symbol }
}

public enum BPFProgramKind {}
public enum BPFMapKind {}
public typealias BPFProgramID = BPFSymbolID<BPFProgramKind>
public typealias BPFMapID = BPFSymbolID<BPFMapKind>

extension BPFProgramSymbol {
    public var id: BPFProgramID { BPFProgramID(self) }
}

extension BPFMapSymbol {
    public var id: BPFMapID { BPFMapID(self) }
}
