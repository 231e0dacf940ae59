import CLibbpf
import Foundation
import Glibc
import Platform

/// Teardown as the kernel sees it: a map holding N objects loses its last fd, and the time until
/// the kernel drops its id (polled with BPF_MAP_GET_FD_BY_ID) is measured. The program that
/// filled it is closed with it, so the time includes the RCU grace period that frees the
/// program and with it the program's reference on the map.
public enum KernelTeardown {
    public enum MapKind: String, CaseIterable, Sendable {
        /// An array map whose N __kptr slots hold bpf_global_ma objects.
        case kptrArray = "kptr-array"
        /// A BPF_F_NO_PREALLOC hash map holding N elements from its own allocator.
        case htab
    }

    public struct Timing: Sendable {
        public var kind: MapKind
        public var objects: Int
        /// bpf_object__close() itself.
        public var closeNs: Int
        /// From the close to BPF_MAP_GET_FD_BY_ID failing with ENOENT.
        public var goneNs: Int
    }

    /// Fills a fresh map with `objects` objects on `cpu`, closes everything and times the teardown.
    public static func measure(_ kind: MapKind, objects: Int, size: Int, cpu: Int, build: BPFBuild,
                               timeoutNs: Int = 10_000_000_000) throws -> Timing {
        let (source, program, map) = kind == .kptrArray ? (BPFSource.objSlots, ObjSlotsProgram.stash.id, ObjSlotsMap.slots.id)
                                                        : (.htabChurn, HtabChurnProgram.insert.id, HtabChurnMap.table.id)
        let object = try BPFObject(source, objectSize: size, build: build, maxEntries: [map: UInt32(max(objects, 1))], autoload: [program])
        let fill = object.testRun(program)
        var fillError: Error?
        var counted = ProvenanceCounters()
        try PinnedThread.run(on: [cpu]) { _, cpu in
            do {
                let before = ProvenanceCounters.read(object, cpu: cpu)
                var done = 0
                while done < objects {
                    let n = min(4096, objects - done)
                    guard try fill.run(iterations: n, base: done) == 0 else { throw KernelCaseFailure("filling the \(kind.rawValue) map failed") }
                    done += n
                }
                counted = ProvenanceCounters.read(object, cpu: cpu) - before
            } catch { fillError = error }
        }
        if let fillError { throw fillError }
        guard counted.allocated == UInt64(objects), counted.failed == 0 else {
            throw KernelCaseFailure("teardown fill counted \(counted.allocated) objects of \(objects)")
        }
        let id = CLibbpf_map_id(object.mapFD(map))
        guard id != 0 else { throw KernelCaseFailure("no id for the \(kind.rawValue) map") }
        let t0 = monotonicNanoseconds()
        object.close()
        let t1 = monotonicNanoseconds()
        while true {
            let fd = bpf_map_get_fd_by_id(id)
            if fd < 0 {
                guard errno == ENOENT else { throw KernelCaseFailure("BPF_MAP_GET_FD_BY_ID: \(String(cString: strerror(errno)))") }
                break
            }
            Glibc.close(fd)
            if monotonicNanoseconds() - t0 > timeoutNs { throw KernelCaseFailure("the \(kind.rawValue) map outlived the timeout") }
            usleep(20)
        }
        return Timing(kind: kind, objects: objects, closeNs: t1 - t0, goneNs: monotonicNanoseconds() - t0)
    }
}
