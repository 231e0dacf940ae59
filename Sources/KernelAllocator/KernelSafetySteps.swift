import CLibbpf
import Glibc
import Results

/// Each sequence's steps between the load and `finish`, in the order the scenario's shape
/// gives them (`bench scenarios --explain`). The allocator map's kill has no kernel object; it
/// is the model's step and appears here only as where it would fall.
extension KernelSafety {
    static let slots = 8

    static func steps(of sequence: Scenario, _ s: SafetySession, home: Int, other: Int,
                      into r: inout KernelSafetyRun) throws(KernelCaseFailure) {
        switch sequence {
        case .mapInMapEscape:
            // outer[0] → inner, an object into inner[0]; outer[0] deleted with inner's fd kept; unload.
            try s.run(.mapInMapStash)
            var key: UInt32 = 0
            guard bpf_map_delete_elem(s.fd(.outer), &key) == 0 else {
                throw KernelCaseFailure("BPF_MAP_DELETE_ELEM of outer[0] failed: \(String(cString: strerror(errno)))")
            }
            s.unload(.mapInMapStash)
        case .remoteLastFree:
            // Allocated here, the owner unloaded, every object (the last included) dropped on the other CPU.
            try s.run(.stash, count: slots)
            s.unload(.stash)
            try onCPU(other) { () throws(KernelCaseFailure) in try s.run(.takeDrop, count: slots) }
        case .pinnedMap:
            try pinnedMap(s, into: &r)
        case .concurrentWalk, .movedBehindWalk:
            try walkSequence(sequence, s, other: other, into: &r)
        case .inFlightAtKill, .pausedPutAtKill:
            // One run on the other CPU holds the objects; the unload happens inside it.
            let objects = sequence == .inFlightAtKill ? 4 : 1
            try s.run(.stash, count: objects)
            r.window = try holdRace(s, home: home, other: other, step: "alloc_prog unloaded") { s.unload(.stash) }
        case .lastPutInNMI:
            try lastPutInIRQ(s, other: other)
        }
    }

    /// Pinned, closed, unloaded, reopened by path, drained by a program loaded later against the
    /// reopened map, unlinked.
    static func pinnedMap(_ s: SafetySession, into r: inout KernelSafetyRun) throws(KernelCaseFailure) {
        try s.run(.stash, count: slots)
        try s.run(.stash, base: 3)
        let fs = try PrivateBPFFS()
        defer { fs.remove() }
        let pin = try fs.pin(s.fd(.values), as: "stash")
        s.close(.values)
        s.unload(.stash)
        let reopened = bpf_obj_get(pin)
        guard reopened >= 0 else { throw KernelCaseFailure("BPF_OBJ_GET \(pin) failed: \(String(cString: strerror(errno)))") }
        let fd = OwnedFD(adopting: reopened)
        let later = try SafetySession(build: s.build, programs: [.takeDrop], reusingValues: fd.fd)
        try later.run(.takeDrop)
        let c = later.counters()
        r.allocated += Int(c.allocated)
        r.freedByPrograms += Int(c.freed)
        later.unloadAll()
        for m in SafetyMap.allCases { later.close(m) }
        fd.close()
        unlink(pin)
    }
}
