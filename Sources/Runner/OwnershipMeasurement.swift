import Foundation
import KernelAllocator
import MemAlloc
import Platform
import Results
import Strategies

/// The cost of owning an allocator as result rows (phase `own`, workload `<N>cpu-<M>node`):
/// the model per design on each topology (create, pinned by one object, destroy, steady state
/// per workload, per size class, N allocators at once, percpu_ref's own cost) and, on this
/// machine, the kernel's map creation cost and who its memcg charges.
public struct OwnershipMeasurement {
    public struct Settings: Sendable {
        public var designs: [StrategyKind] = StrategyKind.allCases
        public var objectSize = 64
        public var repetitions = 3
        /// Allocators created at once (each count a row per design and topology).
        public var allocatorCounts: [Int] = []
        /// The model's reservation for N allocators is estimated first; above this it is n/a.
        public var memoryBudgetBytes = 1 << 30
        public var steadyState = true
        public var perClass = true
        public init() {}
    }

    public let template: ResultRow
    public var settings: Settings
    public let sizes: KernelStructSizes
    public private(set) var notes: [String] = []

    /// `template` carries the run's context columns.
    public init(template: ResultRow, settings: Settings) {
        self.template = template
        self.settings = settings
        if let s = KernelBTFSizes.structSizes(["bpf_mem_cache", "bpf_mem_alloc", "percpu_ref_data"]),
           let c = s["bpf_mem_cache"] ?? nil, let a = s["bpf_mem_alloc"] ?? nil, let p = s["percpu_ref_data"] ?? nil {
            sizes = KernelStructSizes(memCache: c, memAlloc: a, percpuRefData: p, source: "this kernel's BTF")
        } else {
            sizes = .linux618
            notes.append("kernel struct sizes: no readable BTF here, using 6.18's (bpf_mem_cache 224 B, bpf_mem_alloc 80 B, percpu_ref_data 56 B)")
        }
    }

    /// `256cpu-8node`: the workload column of a topology's rows.
    public static func label(_ t: Topology) -> String { TopologyLabel(cpus: t.cpus.count, nodes: t.nodes.count).description }

    func row(_ t: Topology, cpus: String, strategy: String, op: Op, metric: Metric, _ value: Double?, _ unit: String,
             size: Int? = nil, repetition: Int = 0) -> ResultRow {
        var r = template
        r.strategy = strategy
        r.workload = Self.label(t)
        r.phase = .own
        r.op = op
        r.threads = 1
        r.cpus = cpus
        r.size = size ?? settings.objectSize
        r.repetition = repetition
        r.metric = metric
        r.value = value
        r.unit = unit
        return r
    }

    func bytesRows(_ t: Topology, _ cpus: String, _ s: String, _ op: Op, _ b: OwnershipCost.Bytes, rep: Int = 0) -> [ResultRow] {
        [row(t, cpus: cpus, strategy: s, op: op, metric: .bytesKernel, Double(b.kernel), "B", repetition: rep),
         row(t, cpus: cpus, strategy: s, op: op, metric: .bytesModel, Double(b.model), "B", repetition: rep),
         row(t, cpus: cpus, strategy: s, op: op, metric: .bytesLists, Double(b.lists), "B", repetition: rep)]
    }

    /// The model's rows for one topology. `cpus` is the CPU-list column (the real list on
    /// this machine, `0-N` for an injected shape).
    public func modelRows(topology t: Topology, cpus: String) throws -> [ResultRow] {
        var rows: [ResultRow] = []
        // Warm-up, discarded: the first allocators of a process also pay for growing its heap.
        for k in settings.designs { _ = try k.accept(OwnershipVisitor(topology: t, objectSize: settings.objectSize, sizes: sizes)) }
        for kind in settings.designs {
            var first: OwnershipCost?
            for rep in 0..<settings.repetitions {
                let c = try kind.accept(OwnershipVisitor(topology: t, objectSize: settings.objectSize, sizes: sizes))
                if first == nil { first = c }
                let s = kind.rawValue
                if let boot = c.boot {
                    rows.append(row(t, cpus: cpus, strategy: s, op: .boot, metric: .latencyUs, Double(boot.nanoseconds) / 1000, "us", repetition: rep))
                    rows += bytesRows(t, cpus, s, .boot, boot.bytes, rep: rep)
                }
                rows.append(row(t, cpus: cpus, strategy: s, op: .create, metric: .latencyUs, Double(c.initNanoseconds) / 1000, "us", repetition: rep))
                rows += bytesRows(t, cpus, s, .create, c.atInit, rep: rep)
                rows.append(row(t, cpus: cpus, strategy: s, op: .create, metric: .bytesLifetime, Double(c.lifetime.kernel), "B", repetition: rep))
                rows += bytesRows(t, cpus, s, .pinned, c.pinned, rep: rep)
                rows.append(row(t, cpus: cpus, strategy: s, op: .destroy, metric: .latencyUs, Double(c.destroyNanoseconds) / 1000, "us", repetition: rep))
                rows.append(row(t, cpus: cpus, strategy: s, op: .destroy, metric: .bytesReturned, Double(c.bytesReturned), "B", repetition: rep))
            }
            // Per size class, per CPU (deterministic: once).
            if settings.perClass, let f = first?.initFootprint, kind != .global {
                for (i, cls) in f.classes.enumerated() {
                    let perCPU = f.listBytes(cpu: t.cpus[0].id, classIndex: i)
                    let objects = f.listObjectsPerCPU[t.cpus[0].id][i]
                    rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: .sizeClass(cls.unitSize), metric: .bytesListsPerCPU,
                                    Double(perCPU), "B", size: cls.unitSize))
                    rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: .sizeClass(cls.unitSize), metric: .bytesKernelPerCPU,
                                    Double(objects * cls.kmallocSize + sizes.memCache), "B", size: cls.unitSize))
                }
            }
            if settings.steadyState, kind != .global {
                let path = try kind.accept(PathVisitor(objectSize: settings.objectSize))
                for traffic in SteadyStateTraffic.allCases {
                    let a = try MemAllocator(topology: t, path: path)
                    let f = traffic.run(on: a, topology: t, size: settings.objectSize)
                    let report = a.destroy()
                    guard report.isClean else { throw OwnershipFailure("steady state \(traffic.rawValue) leaked: \(report)") }
                    let b = OwnershipCost.Bytes(kernel: f.kernelBytes(sizes), model: f.modelBytes, lists: f.listBytes, listObjects: f.listObjects)
                    rows += bytesRows(t, cpus, kind.rawValue, .steady(traffic.rawValue), b)
                }
            }
            for n in settings.allocatorCounts {
                let op = Op.allocators(n)
                let perOne = first.map { $0.atInit.kernel } ?? 0
                let estimate = kind == .global ? 0 : n * Self.modelReservationEstimate(topology: t, path: try kind.accept(PathVisitor(objectSize: settings.objectSize)))
                if estimate > settings.memoryBudgetBytes {
                    let why = OwnershipNotes.overBudget(modelMiB: Self.mib(estimate), budgetMiB: Self.mib(settings.memoryBudgetBytes),
                                                        objects: n, bytesPerObject: perOne)
                    rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .latencyUs, nil, why))
                    rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesKernel, nil, why))
                    continue
                }
                let m = try kind.accept(ManyAllocatorsVisitor(topology: t, count: n, objectSize: settings.objectSize, sizes: sizes))
                rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .latencyUs, Double(m.createNanoseconds) / 1000, "us"))
                rows += bytesRows(t, cpus, kind.rawValue, op, m.bytes)
                rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: .destroy(n), metric: .latencyUs, Double(m.destroyNanoseconds) / 1000, "us"))
            }
        }
        // percpu_ref's own cost: a per-CPU counter per allocator.
        if settings.designs.contains(where: { $0 == .percpuRef || $0 == .hybrid }) {
            for rep in 0..<settings.repetitions {
                let t0 = MonotonicClock.nanoseconds()
                let ref = PercpuRef(cpuIDLimit: t.cpuIDLimit, release: { _ in }, context: nil)
                let ns = MonotonicClock.nanoseconds() - t0
                ref.deallocate()
                rows.append(row(t, cpus: cpus, strategy: "percpu-ref", op: .refCreate, metric: .latencyUs, Double(ns) / 1000, "us", repetition: rep))
                rows.append(row(t, cpus: cpus, strategy: "percpu-ref", op: .refCreate, metric: .bytesKernel,
                                Double(LifetimeBytes.percpuRefKernel(cpus: t.cpuIDLimit, sizes)), "B", repetition: rep))
                rows.append(row(t, cpus: cpus, strategy: "percpu-ref", op: .refCreate, metric: .bytesModel,
                                Double(LifetimeBytes.percpuRefModel(cpus: t.cpuIDLimit)), "B", repetition: rep))
            }
        }
        return rows
    }

    /// What N allocators of a path reserve in the model, roughly: one 64 KiB slab per
    /// (CPU, class) plus the cache array.
    static func modelReservationEstimate(topology t: Topology, path: MemAllocator.Path) -> Int {
        let classes = path == .sizeClasses ? SizeClass.count : 1
        return t.cpuIDLimit * classes * (65_536 + 256)
    }

    static func mib(_ b: Int) -> String { OwnershipNotes.mib(b) }

    // MARK: The kernel, here

    public struct KernelSettings: Sendable {
        public var mapsPerKind = 16
        public var maxEntries = [1, 4096]
        public var chargedObjects = 32_768
        public var valueSize = 64
        public init() {}
    }

    /// The running kernel's rows: map creation per kind and entries, and the memcg cases.
    public mutating func kernelRows(topology t: Topology, cpus: String, settings k: KernelSettings, build: BPFBuild) -> [ResultRow] {
        var usable = Result<Void, KernelUnavailable>.success(())
        do { try build.environment.check() } catch { usable = .failure(error) }
        let cgroups = ProbeCgroups(usable: usable)
        defer { cgroups.removeAll() }
        switch cgroups.memory {
        case .success(let m):
            let leftovers = m.removeLeftovers()
            if !leftovers.isEmpty {
                notes.append("removed \(leftovers.count) memory cgroups that killed runs left under \(m.parent): \(leftovers.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
            }
            notes.append("memcg charges read from fresh child \(m.version.rawValue) memory cgroups under \(m.runDirectory)")
        case .failure(let why): notes.append("memcg rows n/a: \(why.description)")
        }
        let header = KernelBTFSizes.structSizes(["htab_elem"])?["htab_elem"] ?? nil
        let context = KernelProbeContext(topology: t, cpus: cpus, settings: k, build: build, usable: usable, cgroups: cgroups,
                                         header: header)
        // A signal ends the step between two probes; the deferred removal takes the children.
        return mapCreationRows(context) + (RunInterrupt.isSet ? [] : memcgChargeRows(context))
    }

    /// What both kernel probes share.
    struct KernelProbeContext {
        let topology: Topology
        let cpus: String
        let settings: KernelSettings
        let build: BPFBuild
        let usable: Result<Void, KernelUnavailable>
        let cgroups: ProbeCgroups
        /// `struct htab_elem`'s size from BTF, when the kernel has it.
        let header: Int?
    }

    func na(_ c: KernelProbeContext, _ s: String, _ op: Op, _ metric: Metric, _ why: KernelUnavailable) -> ResultRow {
        row(c.topology, cpus: c.cpus, strategy: s, op: op, metric: metric, nil, why.cell, size: c.settings.valueSize)
    }

    /// Map creation per kind and entries: time, memlock, slab and memcg per map.
    func mapCreationRows(_ c: KernelProbeContext) -> [ResultRow] {
        let (t, cpus, k) = (c.topology, c.cpus, c.settings)
        let unitCache = c.header.map { MemcgChargeProbe.htabUnitCache(elementHeader: $0, valueSize: k.valueSize) }
        var rows: [ResultRow] = []
        for kind in MapCreationProbe.Kind.allCases {
            for entries in k.maxEntries {
                if RunInterrupt.isSet { return rows }
                let op = Op.mapCreate(entries: entries)
                if case .failure(let why) = c.usable {
                    rows.append(na(c, kind.rawValue, op, .latencyUs, why))
                    continue
                }
                let cgroup = c.cgroups.fresh("create")
                do {
                    // Small maps charge little: more of them, so the memcg's 64-page charge
                    // batches divide into a small error per map.
                    let count = entries <= 16 ? k.mapsPerKind * 32 : k.mapsPerKind
                    let r = try MapCreationProbe(count: count, maxEntries: entries, valueSize: k.valueSize)
                        .run(kind, cgroup: try? cgroup.get(), unitCache: unitCache)
                    for (i, ns) in r.createNanoseconds.enumerated() {
                        rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .latencyUs, Double(ns) / 1000, "us",
                                        size: k.valueSize, repetition: i))
                    }
                    rows.append(r.memlockBytes.map { row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesMemlock, Double($0), "B", size: k.valueSize) }
                        ?? row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesMemlock, nil, "n/a: no memlock in fdinfo", size: k.valueSize))
                    rows.append(r.slabBytes.map { row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesSlab, Double($0), "B per map", size: k.valueSize) }
                        ?? row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesSlab, nil, "n/a: /proc/slabinfo unreadable", size: k.valueSize))
                    // System-wide slabinfo: only the many small maps rise above other activity.
                    if let u = r.unitCacheBytes, let name = unitCache, entries <= 16 {
                        rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesSlabUnit, Double(u), OwnershipNotes.slabUnit(cache: name), size: k.valueSize))
                    }
                    switch (r.charge, cgroup) {
                    case (let c?, _):
                        rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesMemcg, Double(c.total), "B per map", size: k.valueSize))
                        if let kern = c.kernel {
                            rows.append(row(t, cpus: cpus, strategy: kind.rawValue, op: op, metric: .bytesMemcgKernel, Double(kern), "B per map", size: k.valueSize))
                        }
                    case (nil, .failure(let why)): rows.append(na(c, kind.rawValue, op, .bytesMemcg, why))
                    default: break
                    }
                } catch {
                    rows.append(na(c, kind.rawValue, op, .latencyUs, error))
                }
            }
        }

        return rows
    }

    /// Who the memcg charges while 32 768 objects live, per case.
    func memcgChargeRows(_ c: KernelProbeContext) -> [ResultRow] {
        let (t, cpus, k, header, build) = (c.topology, c.cpus, c.settings, c.header, c.build)
        var rows: [ResultRow] = []
        for probe in MemcgChargeProbe.Case.allCases {
            if RunInterrupt.isSet { return rows }
            switch c.cgroups.fresh("charge") {
            case .failure(let why):
                rows.append(na(c, probe.subject, probe.op, .bytesMemcg, why))
            case .success(let child):
                do {
                    guard let header else { throw KernelUnavailable(reason: "no htab_elem in BTF", note: "struct htab_elem missing from the kernel BTF") }
                    let r = try MemcgChargeProbe(objects: k.chargedObjects, valueSize: k.valueSize, build: build).run(probe, in: child, elementHeader: header)
                    rows.append(row(t, cpus: cpus, strategy: probe.subject, op: probe.op, metric: .bytesObjects, Double(r.objectBytes), "B (\(r.objects) objects)", size: k.valueSize))
                    rows.append(row(t, cpus: cpus, strategy: probe.subject, op: probe.op, metric: .bytesMemcg, Double(r.charge.total), "B", size: k.valueSize))
                    if let kern = r.charge.kernel {
                        rows.append(row(t, cpus: cpus, strategy: probe.subject, op: probe.op, metric: .bytesMemcgKernel, Double(kern), "B", size: k.valueSize))
                    }
                    if let s = r.slabBytes {
                        rows.append(row(t, cpus: cpus, strategy: probe.subject, op: probe.op, metric: .bytesSlab, Double(s), "B", size: k.valueSize))
                    }
                } catch let e as KernelUnavailable {
                    rows.append(na(c, probe.subject, probe.op, .bytesMemcg, e))
                } catch {
                    rows.append(na(c, probe.subject, probe.op, .bytesMemcg, KernelUnavailable(reason: "probe failed", note: "\(error)")))
                }
            }
        }
        return rows
    }
}

/// The fresh child memory cgroups of the kernel probes, one per case: memory freed by an
/// earlier case (maps are freed after a grace period) must not be uncharged inside a later
/// case's window. All removed at the end of the step, whatever ended it.
final class ProbeCgroups {
    let memory: Result<CgroupMemory, KernelUnavailable>
    private var children: [CgroupMemory.Child] = []

    init(usable: Result<Void, KernelUnavailable>) {
        if case .failure(let why) = usable { memory = .failure(why) } else { memory = CgroupMemory.current() }
    }

    func fresh(_ tag: String) -> Result<CgroupMemory.Child, KernelUnavailable> {
        switch memory {
        case .failure(let why): return .failure(why)
        case .success(let m):
            do {
                let c = try m.makeChild(tag: tag)
                children.append(c)
                return .success(c)
            } catch { return .failure(error) }
        }
    }

    func removeAll() {
        for child in children { child.remove() }
        children = []
    }
}

/// The allocator path a design uses for an object size.
struct PathVisitor: StrategyVisitor {
    let objectSize: Int
    func visit<S: LifetimeStrategy>(_: S.Type) -> MemAllocator.Path { S.allocatorPath(objectSize: objectSize) }
}

/// An ownership measurement that broke an invariant (a leak, a destroy that did not return
/// every byte): the run fails naming it.
public struct OwnershipFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
