import Results

/// A safety scenario's sequence as the real kernel runs it (`safety.bpf.c` around
/// bpf_global_ma). The kernel has no per-program allocator, so the allocator map's kill has no
/// equivalent: each scenario says which of its steps the model alone carries.
extension Scenario {
    /// The step no kernel object corresponds to (bpf_global_ma is never destroyed).
    public var modelled: String {
        switch self {
        case .concurrentWalk, .movedBehindWalk:
            return "the allocator map's kill and lazy's used_allocators put at the walk"
        case .pausedPutAtKill:
            return "the allocator map's kill and percpu-ref's put paused between its mode read and its store"
        case .lastPutInNMI:
            return "the allocator map's kill; the run is in hard-irq (software cpu-clock), not NMI: the guest has no PMU"
        case .mapInMapEscape, .pinnedMap, .inFlightAtKill, .remoteLastFree:
            return "the allocator map's kill"
        }
    }

    /// Whether a run holds objects while the control plane acts (two CPUs needed to race).
    public var racesTheControlPlane: Bool {
        switch self {
        case .inFlightAtKill, .pausedPutAtKill, .concurrentWalk, .movedBehindWalk, .lastPutInNMI: return true
        case .mapInMapEscape, .pinnedMap, .remoteLastFree: return false
        }
    }
}

