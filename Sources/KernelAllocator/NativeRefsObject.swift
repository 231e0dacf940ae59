import Foundation

/// One load of native_refs.bpf.c: the cgroup stash and its get+put, the bpf_refcount pairs and
/// the shared refcounted object. Loaded afresh per block; `close()` drops every map, so a
/// stashed cgroup or object still held is released then.
final class NativeRefsObject: @unchecked Sendable {
    let object: BPFObject
    private let programs: [NativeRefsProgram: TestRunProgram]

    /// What a measurement loads. The test-only programs (`css_extra_put`, and `css_double_put`,
    /// which the verifier rejects) are loaded only when asked for.
    static let measured: [NativeRefsProgram] = NativeRefsProgram.allCases.filter { $0 != .cssExtraPut && $0 != .cssDoublePut }

    init(build: BPFBuild, size: Int = 64, programs names: [NativeRefsProgram] = NativeRefsObject.measured) throws(KernelUnavailable) {
        object = try BPFObject(.nativeRefs, objectSize: size, build: build, autoload: Set(names.map(\.id)))
        var found: [NativeRefsProgram: TestRunProgram] = [:]
        for n in names {
            let program = object.testRun(n)
            guard program.fd >= 0 else {
                object.close()
                throw KernelUnavailable(reason: "program missing", note: "\(object.name) has no program \(n.rawValue)")
            }
            found[n] = program
        }
        programs = found
    }

    func program(_ name: NativeRefsProgram) throws(KernelCaseFailure) -> TestRunProgram {
        guard let p = programs[name] else { throw KernelCaseFailure("\(name.rawValue) was not loaded") }
        return p
    }

    /// Runs a parameter-only program with the 64-bit cgroup id in cb[1] (low) and cb[2] (high).
    private func run(_ name: NativeRefsProgram, id: UInt64 = 0) throws(KernelCaseFailure) -> UInt32 {
        try program(name).run(iterations: 0, base: Int(id & 0xffff_ffff), seed: UInt32(id >> 32))
    }

    /// Takes a reference on cgroup `id` and stashes it.
    func stash(cgroup id: UInt64) throws(KernelCaseFailure) {
        let rc = try run(.nrStash, id: id)
        guard rc == 0 else {
            throw KernelCaseFailure(rc == 2 ? "bpf_cgroup_from_id(\(id)) found no cgroup" : "stashing cgroup \(id) failed (\(rc))")
        }
    }

    /// Drops the stash's reference; false when the stash was already empty.
    func unstash() throws(KernelCaseFailure) -> Bool { try run(.nrUnstash) == 0 }

    /// Whether `bpf_cgroup_from_id(id)` still finds the cgroup.
    func lookup(cgroup id: UInt64) throws(KernelCaseFailure) -> Bool { try run(.nrLookup, id: id) == 1 }

    /// The stashed ref's state, or nil when the stash is empty.
    func mode() throws(KernelCaseFailure) -> PercpuRefState? {
        guard try run(.nrMode) != 0, let bss = object.bss, let at = object.bssOffset(of: NativeRefsGlobal.nrState) else { return nil }
        let word = bss.load(fromByteOffset: at, as: UInt64.self)
        return PercpuRefState(modeBits: word & 3, count: bss.load(fromByteOffset: at + 8, as: Int64.self))
    }

    /// Allocates the one refcounted object every CPU shares.
    func stashShared() throws(KernelCaseFailure) {
        let rc = try run(.rcSharedStash)
        guard rc == 0 else { throw KernelCaseFailure("stashing the shared refcounted object failed (\(rc))") }
    }

    /// Drops the slot's reference (the object is freed if it was the last); false when empty.
    func unstashShared() throws(KernelCaseFailure) -> Bool { try run(.rcSharedUnstash) == 0 }

    /// Every CPU's counters summed.
    func totals() -> ProvenanceCounters {
        ProvenanceCounters.read(object, cpus: Array(0..<min(KernelCase.possibleCPUs, ProvenanceCounters.maxCPUs)))
    }

    func close() { object.close() }
}

/// A percpu_ref's state read from the kernel: the mode bits of `percpu_count_ptr` and the
/// shared `data->count`.
public struct PercpuRefState: Sendable, Equatable {
    /// Bit 0 `__PERCPU_REF_ATOMIC`, bit 1 `__PERCPU_REF_DEAD` (include/linux/percpu-refcount.h).
    public var modeBits: UInt64
    /// `data->count`. In percpu mode it carries `PERCPU_COUNT_BIAS` (1 << 63, so it reads
    /// negative); the switch's RCU callback folds the per-CPU counts in and removes the bias.
    public var count: Int64

    public var isAtomic: Bool { modeBits & 1 != 0 }
    public var isDead: Bool { modeBits & 2 != 0 }
    /// The switch is in effect: the fold ran, and the count is the true number of references.
    public var isFolded: Bool { count >= 0 }
}
