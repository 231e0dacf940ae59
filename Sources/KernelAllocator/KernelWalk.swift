import Foundation
import Glibc
import Platform

/// The lazy proposal's unload walk as the kernel would run it, on its own: a map of N values
/// whose __kptr slots hold bpf_global_ma objects, each carrying an owner id; a tc program
/// (walk_array / walk_hash in strategies.bpf.c) visits every value with bpf_for_each_map_elem,
/// loads each local kptr in place and adds its owner to a used-allocators set. Timed inside
/// the program (ktime pair subtracted).
public final class KernelWalk: @unchecked Sendable {
    public enum MapKind: String, CaseIterable, Sendable {
        case array, hash
    }

    public struct Timing: Sendable {
        public var kind: MapKind
        public var values: Int
        /// The walk right after the caches were flushed (a real unload's cold walk).
        public var coldNs: Int
        /// The same walk repeated at once.
        public var warmNs: Int
        public var owners: [Int]
        public var coldNsPerValue: Double { Double(coldNs) / Double(max(values, 1)) }
        public var warmNsPerValue: Double { Double(warmNs) / Double(max(values, 1)) }
    }

    let object: BPFObject
    public let kind: MapKind
    public let values: Int
    let cpu: Int
    let programs: [StrategiesProgram: TestRunProgram]

    /// The fill, the empty and the walk of each map kind.
    static func programs(_ kind: MapKind) -> (fill: StrategiesProgram, empty: StrategiesProgram, walk: StrategiesProgram) {
        kind == .array ? (.lazyStash, .lazyUnstash, .walkArray) : (.hstash, .hunstash, .walkHash)
    }

    /// Loads a walk object with an `kind` map of `values` values, empty.
    public init(kind: MapKind, values: Int, size: Int, cpu: Int, build: BPFBuild) throws(KernelUnavailable) {
        guard values > 0, values <= 1 << 24 else { throw KernelUnavailable(reason: "map size out of range", note: "1...16M values") }
        self.kind = kind
        self.values = values
        self.cpu = cpu
        let p = Self.programs(kind)
        let names = [p.fill, p.empty, p.walk]
        let maps = kind == .array ? [StrategiesMap.slots.id: UInt32(values)] : [StrategiesMap.hslots.id: UInt32(values), StrategiesMap.slots.id: 1]
        let o = try BPFObject(.strategies, objectSize: size, build: build, maxEntries: maps, autoload: Set(names.map(\.id)),
                              logName: "walk.verifier")
        object = o
        programs = Dictionary(uniqueKeysWithValues: names.map { ($0, o.testRun($0)) })
    }

    /// Fills values [0, count) with objects whose owner is `owner(i)` (ids < 1024); untimed.
    public func fill(count: Int? = nil, owner: @escaping @Sendable (Int) -> UInt32) throws(KernelCaseFailure) {
        let n = count ?? values
        let fill = programs[Self.programs(kind).fill]!
        try onCPU { () throws(KernelCaseFailure) in
            let before = ProvenanceCounters.read(self.object, cpu: self.cpu)
            // One run per owner stretch: owner ids change per run, not per object.
            var at = 0
            while at < n {
                let o = owner(at)
                var end = at + 1
                while end < n && end - at < 65536 && owner(end) == o { end += 1 }
                guard try fill.run(iterations: end - at, base: at, seed: o) == 0 else { throw KernelCaseFailure("walk fill: bpf_obj_new failed") }
                at = end
            }
            let moved = ProvenanceCounters.read(self.object, cpu: self.cpu) - before
            guard moved.allocated == UInt64(n), moved.empty == 0 else {
                throw KernelCaseFailure("walk fill counted \(moved.allocated) objects of \(n)")
            }
        }
    }

    /// One walk: the used set it built and its ns inside the program; `flush` first evicts
    /// the caches (touches a buffer four times the LLC).
    public func walk(flush: Bool) throws(KernelCaseFailure) -> (ns: Int, found: Int, owners: [Int]) {
        let generation = UInt32.random(in: 1...UInt32.max)
        let program = programs[Self.programs(kind).walk]!
        return try onCPU { () throws(KernelCaseFailure) in
            if flush { Self.flushCaches() }
            _ = try program.run(iterations: Int(generation), base: 0)
            let s = KernelPolicyState.read(self.object)!
            return (Int(s.walkNs), Int(s.walkFound), KernelPolicyState.usedOwners(self.object, generation: generation))
        }
    }

    /// Cold walk, then warm walk; fails unless both found every stashed object.
    public func measure(expectedObjects: Int) throws(KernelCaseFailure) -> Timing {
        let cold = try walk(flush: true)
        let warm = try walk(flush: false)
        guard cold.found == expectedObjects, warm.found == expectedObjects else {
            throw KernelCaseFailure("\(kind.rawValue) walk found \(cold.found)/\(warm.found) objects of \(expectedObjects)")
        }
        return Timing(kind: kind, values: values, coldNs: cold.ns, warmNs: warm.ns, owners: cold.owners)
    }

    /// Drops every object (untimed) and closes the object.
    public func close() throws(KernelCaseFailure) {
        let empty = programs[Self.programs(kind).empty]!
        try onCPU { () throws(KernelCaseFailure) in
            var at = 0
            while at < self.values {
                let n = min(1 << 20, self.values - at)
                _ = try empty.run(iterations: n, base: at)
                at += n
            }
        }
        object.close()
    }

    /// 4 × the LLC (32 MiB here), read and written once: the map values and objects leave it.
    static let flushBuffer: UnsafeMutableRawPointer = {
        let bytes = flushBytes
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        memset(p, 1, bytes)
        return p
    }()
    static let flushBytes = 128 << 20
    static func flushCaches() {
        let p = flushBuffer.assumingMemoryBound(to: UInt64.self)
        for i in stride(from: 0, to: flushBytes / 8, by: 8) { p[i] &+= 1 }
    }

    private func onCPU<T: Sendable>(_ body: @escaping @Sendable () throws(KernelCaseFailure) -> T) throws(KernelCaseFailure) -> T {
        let box = ResultBox<T>()
        do {
            try PinnedThread.run(on: [cpu]) { _, _ in
                do throws(KernelCaseFailure) { box.value = .success(try body()) } catch { box.value = .failure(error) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        switch box.value {
        case .success(let v): return v
        case .failure(let e): throw e
        case nil: throw KernelCaseFailure("the pinned thread did not report")
        }
    }
}
