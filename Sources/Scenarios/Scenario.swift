import Results

/// What each scenario's script does, for tables and `bench list`.
extension Scenario {
    /// A short title for tables.
    public var title: String {
        switch self {
        case .mapInMapEscape: return "map-in-map escape"
        case .concurrentWalk: return "concurrent xchg during the unload walk"
        case .pinnedMap: return "pinned map outlives the program"
        case .inFlightAtKill: return "objects in flight at kill"
        case .remoteLastFree: return "remote last free"
        case .movedBehindWalk: return "object moved behind the unload walk"
        case .lastPutInNMI: return "last put in NMI context"
        case .pausedPutAtKill: return "put paused in its window at the kill"
        }
    }

    /// One line: what the script does.
    public var summary: String {
        switch self {
        case .mapInMapEscape:
            return "object xchg'd into an inner map reached via map-in-map; outer entry deleted, inner fd kept; program unloads, allocator map freed, inner fd closed"
        case .concurrentWalk:
            return "a second program on another pinned worker xchg's and frees kptrs while the unload walk reads them; random windows and slots"
        case .pinnedMap:
            return "objects stashed in a pinned map; program unloaded and allocator map closed; map reopened, drained and closed much later"
        case .inFlightAtKill:
            return "one run of a second program on CPU 1 takes every object out of the map with kptr_xchg and drops them while the unload and the allocator map's kill race it"
        case .remoteLastFree:
            return "objects allocated on CPU 0; owner unloaded and allocator map closed; a program on CPU 1 frees them, the last one included"
        case .movedBehindWalk:
            return "a second program xchg's the object from a slot the unload walk has not reached into an empty one it already passed; random slots and windows"
        case .lastPutInNMI:
            return "one NMI run of a perf_event program on CPU 1 takes every object out of the map and drops them while the kill races it, the last reference included"
        case .pausedPutAtKill:
            return "a second program's free reads the put's mode (percpu), then pauses while the allocator map's kill switches to atomic and waits; then stores"
        }
    }

    /// Whether a second pinned worker thread runs concurrently with the coordinator.
    public var isConcurrent: Bool {
        switch self {
        case .concurrentWalk, .inFlightAtKill, .remoteLastFree, .movedBehindWalk, .lastPutInNMI, .pausedPutAtKill: return true
        case .mapInMapEscape, .pinnedMap: return false
        }
    }

    /// Whether each iteration draws a new interleaving from the seed (run `iterations` times;
    /// the others are deterministic and run once).
    public var isRandomized: Bool {
        switch self {
        case .concurrentWalk, .inFlightAtKill, .movedBehindWalk: return true
        case .mapInMapEscape, .pinnedMap, .remoteLastFree, .lastPutInNMI, .pausedPutAtKill: return false
        }
    }
}
