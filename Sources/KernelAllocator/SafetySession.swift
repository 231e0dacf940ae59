import CLibbpf
import Glibc

/// safety.bpf.c loaded for one sequence, with every program and map fd held by this session
/// alone (libbpf's copies closed right after the load), so closing a program's fd is that
/// program's unload and closing a map's fd drops the last user-space reference, as in the
/// scripts. Counters and hold windows are read through the mapped .bss, which stays mapped.
final class SafetySession {
    private let object: BPFObject
    private let programs: [SafetyProgram: OwnedFD]
    private let maps: [SafetyMap: OwnedFD]
    let loaded: [String]
    let build: BPFBuild
    /// `sf_hold`'s place in .bss, looked up while libbpf's object is open.
    private let holdOffset: Int?
    /// Every map's kernel id from the load: a map closed early is still waited for.
    private let ids: [UInt32]
    /// Every program the sequences use; `exitHolding` is loaded only to be refused.
    static let legalPrograms = SafetyProgram.allCases.filter { $0 != .exitHolding }

    /// Loads `programs` (the verifier's acceptance is the first check); `reuse` binds `values`
    /// to an existing map (a pinned map reopened) instead of creating one.
    init(build: BPFBuild, programs wanted: [SafetyProgram] = SafetySession.legalPrograms,
         reusingValues: Int32? = nil) throws(KernelCaseFailure) {
        let object: BPFObject
        do {
            object = try BPFObject(.safety, objectSize: 64, build: build, autoload: Set(wanted.map(\.id)),
                                   reuse: reusingValues.map { [SafetyMap.values.id: $0] } ?? [:], logName: "safety")
        } catch { throw KernelCaseFailure("the verifier refused a scenario program: \(error)") }
        defer { object.close() }
        var programs: [SafetyProgram: OwnedFD] = [:], maps: [SafetyMap: OwnedFD] = [:]
        for p in wanted { programs[p] = try OwnedFD(duplicating: object.programFD(p), what: p.rawValue) }
        for m in SafetyMap.allCases { maps[m] = try OwnedFD(duplicating: object.mapFD(m), what: m.rawValue) }
        self.object = object
        holdOffset = object.bssOffset(of: SafetyGlobal.hold)
        self.programs = programs
        self.maps = maps
        loaded = wanted.map(\.rawValue)
        self.build = build
        ids = maps.values.map { CLibbpf_map_id($0.fd) }.filter { $0 != 0 }
    }

    func fd(_ p: SafetyProgram) -> Int32 { programs[p]?.fd ?? -1 }
    func fd(_ m: SafetyMap) -> Int32 { maps[m]?.fd ?? -1 }

    /// One BPF_PROG_TEST_RUN on the calling thread's CPU: cb[0] `count`, cb[1] `base`, cb[2] `parameter`.
    @discardableResult
    func run(_ p: SafetyProgram, count: Int = 1, base: Int = 0, parameter: Int = 0) throws(KernelCaseFailure) -> UInt32 {
        try TestRunProgram(name: p.rawValue, fd: fd(p)).run(iterations: count, base: base, seed: UInt32(truncatingIfNeeded: parameter))
    }

    /// Opens (1) or closes (0) the gate a holding run spins on.
    func setGate(open: Bool) throws(KernelCaseFailure) {
        var key: UInt32 = 0
        var value: UInt64 = open ? 1 : 0
        guard bpf_map_update_elem(fd(.gate), &key, &value, UInt64(BPF_ANY)) == 0 else {
            throw KernelCaseFailure("BPF_MAP_UPDATE_ELEM of sf_gate failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The program's unload: its last fd closed (the kernel frees it after a grace period).
    func unload(_ p: SafetyProgram) { programs[p]?.close() }
    func unloadAll() { for p in programs.values { p.close() } }
    /// Drops this session's reference to `m`.
    func close(_ m: SafetyMap) { maps[m]?.close() }

    /// The kernel's ids of every map of the load, for `waitUntilFreed`.
    func mapIDs() -> [UInt32] { ids }

    /// Counters summed over every CPU the programs can run on.
    func counters() -> ProvenanceCounters { ProvenanceCounters.read(object, cpus: Array(0..<ProvenanceCounters.maxCPUs)) }

    /// CPU `cpu`'s last holding run: (start, end, held now).
    func hold(cpu: Int) -> (start: Int, end: Int, holding: Int) {
        guard let bss = object.bss, let at = holdOffset, at + (cpu + 1) * 64 <= object.bssSize else { return (0, 0, 0) }
        let base = bss + at + cpu * 64
        return (Int(base.load(fromByteOffset: 0, as: UInt64.self)), Int(base.load(fromByteOffset: 8, as: UInt64.self)),
                Int(base.load(fromByteOffset: 16, as: UInt64.self)))
    }

    /// Waits until no map id in `ids` names a live map (the map free ran), up to `timeoutNs`;
    /// returns how many are still alive.
    static func waitUntilFreed(_ ids: [UInt32], timeoutNs: Int = 5_000_000_000) -> Int {
        let end = monotonicNanoseconds() + timeoutNs
        var left = ids
        while !left.isEmpty && monotonicNanoseconds() < end {
            left = left.filter { id in
                let fd = bpf_map_get_fd_by_id(id)
                if fd >= 0 { Glibc.close(fd) }
                return fd >= 0
            }
            if !left.isEmpty { usleep(2000) }
        }
        return left.count
    }
}
