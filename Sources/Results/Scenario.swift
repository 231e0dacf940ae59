/// The hazards of the Aug 2022 bpf thread (README "Safety: the thread's hazards replayed"), each a scripted sequence of
/// BPF-model events replayed against every lifetime strategy in a checked world (Scenarios), and
/// the same sequence run against the real kernel (KernelAllocator's `KernelSafety`). One list for both.
public enum Scenario: String, CaseIterable, Sendable {
    /// Kumar's hole 2: an object escapes into an inner map reached only through map-in-map.
    case mapInMapEscape = "map-in-map-escape"
    /// Kumar's hole 1: another CPU `kptr_xchg`s and frees an object while unload walks the map.
    case concurrentWalk = "concurrent-walk"
    /// Objects stashed in a pinned map that outlives the program and the allocator map.
    case pinnedMap = "pinned-map"
    /// Objects out of every map, held by one run of a second program, dropped while the kill races it.
    case inFlightAtKill = "in-flight-at-kill"
    /// The last object freed on another CPU than the one it was allocated on, owner gone.
    case remoteLastFree = "remote-last-free"
    /// During the unload walk another program moves an object from a slot the walk has not
    /// reached into one it already passed: the walk never sees it.
    case movedBehindWalk = "moved-behind-walk"
    /// The last reference dropped in one NMI run of a perf_event program that races the kill.
    case lastPutInNMI = "last-put-in-nmi"
    /// #4 with the window forced: a free paused between its put's mode check and its per-CPU
    /// store while the kill switches to atomic and waits its grace period.
    case pausedPutAtKill = "paused-put-at-kill"

    /// The steps of the scenario the real kernel has no object for (`bpf_global_ma` is never
    /// destroyed): the model alone carries them; the kernel's run of the sequence does the rest.
    public var modelledSteps: [String] {
        var steps = ["the allocator map's kill"]
        switch self {
        case .concurrentWalk, .movedBehindWalk: steps.append("lazy's used_allocators put at the walk")
        case .pausedPutAtKill: steps.append("percpu-ref's put paused between its mode read and its store")
        case .lastPutInNMI: steps.append("NMI context, where the kernel's run is in hard-irq: the guest has no PMU")
        case .mapInMapEscape, .pinnedMap, .inFlightAtKill, .remoteLastFree: break
        }
        return steps
    }

    public var modelledOnly: String { modelledSteps.joined(separator: "; ") }
}
