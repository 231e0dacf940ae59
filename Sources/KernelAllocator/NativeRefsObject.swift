import Foundation

/// One load of native_refs.bpf.c: the cgroup stash and its get+put, the bpf_refcount pairs and
/// the shared refcounted object. Loaded afresh per block; `close()` drops every map, so a
/// stashed cgroup or object still held is released then.
final class NativeRefsObject: @unchecked Sendable {
    let object: BPFObject
    private let programs: [String: TestRunProgram]

    static let name = "native_refs"
    /// What a measurement loads. The test-only programs (`css_extra_put`, and `css_double_put`,
    /// which the verifier rejects) are loaded only when asked for.
    static let measured = ["nr_stash", "nr_unstash", "nr_lookup", "nr_mode", "css_getput", "css_empty", "css_getput_timed", "css_empty_timed",
                           "rc_pair", "plain_pair", "rc_shared_stash", "rc_shared_unstash", "rc_shared_getput", "rc_shared_empty"]

    init(build: BPFBuild, size: Int = 64, programs names: [String] = NativeRefsObject.measured) throws(KernelUnavailable) {
        let path = try build.object(named: Self.name, objectSize: size)
        let log = (path as NSString).deletingPathExtension + ".verifier.log"
        object = try BPFObject(path: path, name: Self.name, autoload: Set(names), logPath: log)
        var found: [String: TestRunProgram] = [:]
        for n in names {
            let fd = object.programFD(n)
            guard fd >= 0 else {
                object.close()
                throw KernelUnavailable(reason: "program missing", note: "\(Self.name) has no program \(n)")
            }
            found[n] = TestRunProgram(name: n, fd: fd)
        }
        programs = found
    }

    func program(_ name: String) throws(KernelCaseFailure) -> TestRunProgram {
        guard let p = programs[name] else { throw KernelCaseFailure("\(name) was not loaded") }
        return p
    }

    /// Runs a parameter-only program with the 64-bit cgroup id in cb[1] (low) and cb[2] (high).
    private func run(_ name: String, id: UInt64 = 0) throws(KernelCaseFailure) -> UInt32 {
        try program(name).run(iterations: 0, base: Int(id & 0xffff_ffff), seed: UInt32(id >> 32))
    }

    /// Takes a reference on cgroup `id` and stashes it.
    func stash(cgroup id: UInt64) throws(KernelCaseFailure) {
        let rc = try run("nr_stash", id: id)
        guard rc == 0 else {
            throw KernelCaseFailure(rc == 2 ? "bpf_cgroup_from_id(\(id)) found no cgroup" : "stashing cgroup \(id) failed (\(rc))")
        }
    }

    /// Drops the stash's reference; false when the stash was already empty.
    func unstash() throws(KernelCaseFailure) -> Bool { try run("nr_unstash") == 0 }

    /// Whether `bpf_cgroup_from_id(id)` still finds the cgroup.
    func lookup(cgroup id: UInt64) throws(KernelCaseFailure) -> Bool { try run("nr_lookup", id: id) == 1 }

    /// The stashed ref's state, or nil when the stash is empty.
    func mode() throws(KernelCaseFailure) -> PercpuRefState? {
        guard try run("nr_mode") != 0, let bss = object.bss, let at = object.bssOffset(of: "nr_state") else { return nil }
        let word = bss.load(fromByteOffset: at, as: UInt64.self)
        return PercpuRefState(modeBits: word & 3, count: bss.load(fromByteOffset: at + 8, as: Int64.self))
    }

    /// Allocates the one refcounted object every CPU shares.
    func stashShared() throws(KernelCaseFailure) {
        let rc = try run("rc_shared_stash")
        guard rc == 0 else { throw KernelCaseFailure("stashing the shared refcounted object failed (\(rc))") }
    }

    /// Drops the slot's reference (the object is freed if it was the last); false when empty.
    func unstashShared() throws(KernelCaseFailure) -> Bool { try run("rc_shared_unstash") == 0 }

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
