import KernelAllocator
import MemAlloc
import Platform
import Reports
import Results
import Strategies
import Testing
@testable import Runner

/// The rows of the cost of owning an allocator: model rows against hand-computed figures, the
/// memory budget's n/a rows, and the kernel rows here and without capabilities.
@Suite(.serialized) struct OwnershipMeasurementTests {
    static let template = ResultRow(runID: "r", timestamp: "t", commit: "c", host: "h", cpuModel: "m", kernel: "k", swift: "6",
                                    build: "release", strategy: "", workload: "", phase: Phase(rawValue: ""), op: Op(rawValue: ""), threads: 0, cpus: "",
                                    size: 0, repetition: 0, metric: Metric(rawValue: ""), value: nil, unit: "")

    func measurement(_ designs: [StrategyKind], counts: [Int] = [], budget: Int = 1 << 30) -> OwnershipMeasurement {
        var s = OwnershipMeasurement.Settings()
        s.designs = designs
        s.repetitions = 2
        s.allocatorCounts = counts
        s.memoryBudgetBytes = budget
        return OwnershipMeasurement(template: Self.template, settings: s)
    }

    func value(_ rows: [ResultRow], _ s: String, _ op: Op, _ metric: Metric) -> Double? {
        rows.first { $0.strategy == s && $0.op == op && $0.metric == metric }?.value
    }

    @Test func modelRowsStateThePrefillRule() throws {
        let m = measurement([.atomic, .kmemCache, .global], counts: [1, 3])
        let t = Topology.synthetic(cpus: 4, nodes: 2)
        let rows = try m.modelRows(topology: t, cpus: "0-3")
        #expect(rows.allSatisfy { $0.phase == .own && $0.workload == "4cpu-2node" })
        let structs = 4 * 11 * m.sizes.memCache + m.sizes.memAlloc
        // 4 CPUs × (4 × (16+32+64+96+128+192+256) + 512+1024+2048+4096) on the lists, + one 8 B count.
        #expect(value(rows, "atomic", .create, .bytesKernel) == Double(43_264 + structs + 8))
        #expect(value(rows, "atomic", .create, .bytesLists) == 43_264)
        #expect(value(rows, "atomic", .pinned, .bytesLists) == Double(43_264 + 47 * 96))
        #expect(value(rows, "atomic", .destroy, .bytesReturned) == Double(44 * 65_536))
        #expect(value(rows, "global", .create, .bytesKernel) == 0)
        #expect(value(rows, "global", .boot, .bytesLists) == 43_264)
        #expect(value(rows, "atomic", .sizeClass(4096), .bytesListsPerCPU) == 4096)
        #expect(value(rows, "atomic", .allocators(3), .bytesKernel) == Double(3 * (43_264 + structs + 8)))
        // kmem-cache: one 72 B class (kmalloc-96), 4 per CPU, one bpf_mem_cache per CPU.
        #expect(value(rows, "kmem-cache", .create, .bytesKernel) == Double(4 * 4 * 96 + 4 * m.sizes.memCache + m.sizes.memAlloc + 8))
        for w in SteadyStateTraffic.allCases { #expect(value(rows, "atomic", .steady("\(w.rawValue)"), .bytesKernel) != nil) }
        #expect(rows.filter { $0.op == .create && $0.metric == .latencyUs && $0.strategy == "atomic" }.count == 2)
    }

    @Test func overTheMemoryBudgetIsNotApplicableWithTheKernelFigure() throws {
        let m = measurement([.percpuRef], counts: [1000], budget: 1 << 20)
        let rows = try m.modelRows(topology: .synthetic(cpus: 8, nodes: 1), cpus: "0-7")
        let na = try #require(rows.first { $0.op == .allocators(1000) && $0.metric == .bytesKernel })
        #expect(na.value == nil)
        #expect(na.unit.hasPrefix("n/a: the model would reserve"))
        #expect(na.unit.contains("kernel-equivalent 1000 ×"))
    }

    @Test func kernelRowsWithoutCapabilitiesAreNotApplicable() {
        var e = KernelEnvironment.current()
        e.effectiveCapabilities = 0
        var m = measurement([])
        let rows = m.kernelRows(topology: .current(), cpus: "0", settings: .init(), build: BPFBuild(environment: e))
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.value == nil && $0.unit == "n/a: no CAP_BPF" })
        #expect(Set(rows.map(\.strategy)) == ["kernel", "kernel-htab", "kernel-htab-prealloc", "kernel-array"])
    }

    @Test(.enabled(if: KernelEnvironment.current().canLoadPrograms)) func kernelRowsHere() throws {
        var m = measurement([])
        var k = OwnershipMeasurement.KernelSettings()
        k.mapsPerKind = 4
        k.maxEntries = [1]
        k.chargedObjects = 16_384
        let rows = m.kernelRows(topology: .current(), cpus: "0", settings: k, build: BPFBuild(environment: .current()))
        let created = rows.filter { $0.op == .mapCreate(entries: 1) && $0.metric == .latencyUs }
        #expect(created.count == 3 * 4 * 32 && created.allSatisfy { ($0.value ?? 0) > 0 })
        #expect(value(rows, "kernel-htab", .mapCreate(entries: 1), .bytesMemlock) != nil)
        // Who is charged, here (a memory cgroup controller exists on this machine).
        let inside = try #require(value(rows, "kernel-htab", .createInsideFillOutside, .bytesMemcg))
        let objects = try #require(value(rows, "kernel-htab", .createInsideFillOutside, .bytesObjects))
        #expect(inside >= objects / 2)
        let global = try #require(value(rows, "kernel", .objNewInside, .bytesMemcg))
        #expect(global < objects / 4)
    }
}
