import Results
/// "Cost of owning an allocator": from the `own` rows (bench footprint, and this machine's rows
/// in a default run), per design the time to create a program's allocator, the bytes it holds
/// at creation and the bytes one surviving object pins after the allocator map is gone — in
/// the kernel's currency (per-CPU list objects at kmalloc size + bpf_mem_cache structs) beside
/// what the model reserves — then the breakdowns, the kernel's own map creation cost and who
/// its memcg charges. Every table fits 75 columns.
public struct OwnershipSection: Sendable {
    public let tables: [ReportSections.Table]
    public let findings: [String]
    /// One line for the terminal summary (`TerminalSummary`); nil without `own` rows.
    public let summary: String?

    public init(rows allRows: [ResultRow]) {
        let rows = allRows.filter { $0.phase == .own }
        guard !rows.isEmpty else {
            tables = []
            findings = []
            summary = nil
            return
        }
        let o = Own(rows: rows)
        tables = o.designTable() + o.classTable() + o.steadyTable() + o.manyTable() + o.refTable() + o.mapCreationTable()
            + o.chargedTable()
        findings = o.findings()
        summary = o.summaryLine()
    }

    /// The `own` rows by design, topology (the workload column), op and metric.
    struct Own {
        let table: ResultTable
        /// Fewest CPUs first.
        let topologies: [String]
        let size: Int
        let designs: [String]

        init(rows: [ResultRow]) {
            table = ResultTable(rows: rows)
            topologies = table.distinct(\.workload).sorted { OwnershipSection.cpuCount($0) < OwnershipSection.cpuCount($1) }
            size = table.distinct(\.size).first ?? 64
            let table = self.table
            designs = ["atomic", "percpu-ref", "lazy", "kmem-cache", "hybrid", "global"].filter { d in table.order.contains { $0.strategy == d } }
        }

        func cell(_ s: String, _ w: String, _ op: Op, _ metric: Metric) -> ResultCell? {
            table.order.first { $0.strategy == s && $0.workload == w && $0.op == op && $0.metric == metric }.flatMap { table.cells[$0] }
        }

        func median(_ s: String, _ w: String, _ op: Op, _ metric: Metric) -> Double? { cell(s, w, op, metric)?.stats?.median }
    }

    /// `256cpu-8node` → 256.
    static func cpuCount(_ w: String) -> Int { TopologyLabel(workloadColumn: w)?.cpus ?? 0 }

    static func integer(_ v: Double) -> String { String(Int(v.rounded())) }

    static func bytes(_ b: Double) -> String {
        if b < 1024 { return "\(Int(b)) B" }
        if b < 1_048_576 { return "\(ResultCell.format(b / 1024)) KiB" }
        return "\(ResultCell.format(b / 1_048_576)) MiB"
    }
}

extension OwnershipSection.Own {
    func text(_ v: Double?, scale: Double = 1) -> String { v.map { ResultCell.format($0 / scale) } ?? "" }

    /// 1. Per design and topology.
    func designTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 1. Per design and topology.
        var body: [[String]] = []
        for w in topologies where median(designs.first ?? "", w, .create, .bytesKernel) != nil {
            for d in designs {
                guard median(d, w, .create, .bytesKernel) != nil else { continue }
                let global = d == "global"
                body.append([d, "\(OwnershipSection.cpuCount(w))", global ? "0" : text(median(d, w, .create, .latencyUs)),
                             text(median(d, w, .create, .bytesKernel), scale: 1024), text(median(d, w, .pinned, .bytesKernel), scale: 1024),
                             text(median(d, w, .create, .bytesModel), scale: 1024), global ? "" : text(median(d, w, .destroy, .latencyUs))])
            }
        }
        if !body.isEmpty {
            // init µs times the model reserving its slabs; the kernel's own creation is µs.
            let kernelInit = kernelCreation().map { "; the kernel here creates a map with its own allocator (1-entry no-prealloc hash map) in \(ResultCell.format($0.htab)) µs" } ?? ""
            tables.append(.init(title: "Cost of owning an allocator, per program (model, \(size) B objects). KiB: at init and pinned (allocator map gone, one object alive) are what the kernel would pay (per-CPU list objects at kmalloc size + bpf_mem_cache structs + the lifetime's counter); model = what the model reserves (64 KiB slabs per CPU and class); init µs = the model reserving those slabs\(kernelInit); global: bpf_global_ma is made once at boot",
                                header: ["design", "CPUs", "init µs", "at init", "pinned", "model", "destroy µs"], rows: body))
        }
        return tables
    }

    /// 2. Per size class and CPU at the largest topology (a size-class design).
    func classTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 2. Per size class and CPU at the largest topology (a size-class design).
        if let w = topologies.last, let d = ["atomic", "percpu-ref", "lazy", "hybrid"].first(where: { designs.contains($0) }) {
            let classes = table.distinct(\.op).filter { $0.sizeClassUnit != nil }
            var per: [[String]] = []
            var total = 0.0
            for op in classes {
                guard let lists = median(d, w, op, .bytesListsPerCPU), let kernel = median(d, w, op, .bytesKernelPerCPU) else { continue }
                let unit = op.sizeClassUnit ?? 0
                let cpus = Double(OwnershipSection.cpuCount(w))
                total += kernel * cpus
                per.append(["\(unit)", "\(unit > 0 ? Int(lists) / unit : 0)", OwnershipSection.integer(lists), OwnershipSection.integer(kernel), text(kernel * cpus, scale: 1024)])
            }
            if !per.isEmpty {
                per.append(["all", "", "", "", text(total, scale: 1024)])
                tables.append(.init(title: "At creation, per size class (\(d), \(OwnershipSection.cpuCount(w)) CPUs): objects and bytes per CPU; kernel = objects at kmalloc size + one 224 B-class bpf_mem_cache",
                                    header: ["unit B", "objs/CPU", "list B/CPU", "kernel B/CPU", "all CPUs KiB"], rows: per))
            }
        }
        return tables
    }

    /// 3. Steady state of each workload (largest topology).
    func steadyTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 3. Steady state of each workload (largest topology).
        if let w = topologies.last {
            let ops = table.distinct(\.op).filter { $0.steadyWorkload != nil }
            let shown = designs.filter { d in ops.contains { median(d, w, $0, .bytesKernel) != nil } }
            // The size-class designs hold the same lists: show one of them and kmem-cache.
            let columns = [shown.first { $0 != "kmem-cache" }, shown.contains("kmem-cache") ? "kmem-cache" : nil].compactMap { $0 }
            var steady: [[String]] = []
            for op in ops {
                let cells = columns.flatMap { d in [text(median(d, w, op, .bytesKernel), scale: 1024), text(median(d, w, op, .bytesModel), scale: 1024)] }
                steady.append([op.steadyWorkload ?? ""] + cells)
            }
            if !steady.isEmpty && !columns.isEmpty {
                tables.append(.init(title: "Steady state of each workload (\(OwnershipSection.cpuCount(w)) CPUs, after the traffic ran on every CPU): KiB held, kernel-equivalent and model",
                                    header: ["workload"] + columns.flatMap { ["\($0)", "model"] }, rows: steady))
            }
        }
        return tables
    }

    /// 4. N allocators at once.
    func manyTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 4. N allocators at once.
        let counts = table.distinct(\.op).compactMap(\.allocatorCount)
        if !counts.isEmpty {
            var many: [[String]] = []
            for w in topologies {
                for d in designs where d != "global" {
                    for n in counts {
                        guard let c = cell(d, w, .allocators(n), .bytesKernel) else { continue }
                        if c.stats == nil {
                            many.append([d, "\(OwnershipSection.cpuCount(w))", "\(n)", "n/a", text(Double(OwnershipNotes.kernelBytes(overBudget: c.missingReason) ?? 0), scale: 1_048_576) + "*", ""])
                        } else {
                            many.append([d, "\(OwnershipSection.cpuCount(w))", "\(n)", text(median(d, w, .allocators(n), .latencyUs), scale: 1000),
                                         text(c.stats?.median, scale: 1_048_576), text(median(d, w, .allocators(n), .bytesModel), scale: 1_048_576)])
                        }
                    }
                }
            }
            if !many.isEmpty {
                tables.append(.init(title: "N programs' allocators at once (global: none of their own); * = the model's reservation is over --memory-budget, kernel MiB is N × one",
                                    header: ["design", "CPUs", "N", "create ms", "kernel MiB", "model MiB"], rows: many))
            }
        }
        return tables
    }

    /// 5. percpu_ref's own cost.
    func refTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 5. percpu_ref's own cost.
        var ref: [[String]] = []
        for w in topologies {
            guard let k = median("percpu-ref", w, .refCreate, .bytesKernel) else { continue }
            ref.append(["\(OwnershipSection.cpuCount(w))", OwnershipSection.integer(k), median("percpu-ref", w, .refCreate, .bytesModel).map(OwnershipSection.integer) ?? "",
                        text(median("percpu-ref", w, .refCreate, .latencyUs))])
        }
        if !ref.isEmpty {
            tables.append(.init(title: "percpu_ref's own cost per allocator: kernel 8 B × possible CPUs + percpu_ref_data; model 128 B padded slots",
                                header: ["CPUs", "kernel B", "model B", "init µs"], rows: ref))
        }
        return tables
    }

    /// 6. The kernel here: map creation.
    func mapCreationTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 6. The kernel here: map creation.
        var maps: [[String]] = []
        var unitName = "unit cache"
        for s in ["kernel-htab", "kernel-htab-prealloc", "kernel-array"] {
            for op in table.distinct(\.op) where op.mapCreateEntries != nil {
                guard let w = topologies.first(where: { cell(s, $0, op, .latencyUs) != nil }), let lat = cell(s, w, op, .latencyUs) else { continue }
                let entries = op.mapCreateEntries.map(String.init) ?? ""
                guard let stats = lat.stats else {
                    maps.append([s, entries, "n/a", "", "", ""])
                    continue
                }
                func kib(_ m: Metric) -> String {
                    guard let c = cell(s, w, op, m) else { return "" }
                    return c.stats.map { ResultCell.format($0.median / 1024) } ?? "n/a"
                }
                let unitCache = cell(s, w, op, .bytesSlabUnit)
                if let u = unitCache.flatMap({ OwnershipNotes.cache(slabUnit: $0.unit) }) { unitName = u }
                maps.append([s.replacingOccurrences(of: "kernel-", with: ""), entries, ResultCell.format(stats.median),
                             kib(.bytesMemlock), kib(.bytesMemcg), unitCache?.stats.map { OwnershipSection.integer($0.median) } ?? ""])
            }
        }
        if !maps.isEmpty {
            tables.append(.init(title: "The kernel here: map creation (\(size) B values), median µs; memlock = what fdinfo reports (map_mem_usage); memcg = charged to the creating child cgroup per map; last column = slabinfo gain per map in \(unitName), where a no-prealloc htab's allocator takes its elements (and its prefill) from",
                                header: ["map", "entries", "create µs", "memlock KiB", "memcg KiB", "\(unitName.replacingOccurrences(of: "kmalloc-", with: "")) B"], rows: maps))
        }
        return tables
    }

    /// 7. Who is charged.
    func chargedTable() -> [ReportSections.Table] {
        var tables: [ReportSections.Table] = []
        // 7. Who is charged.
        var charged: [[String]] = []
        var reasons: [String] = []
        let cases: [(String, Op, String)] = [("kernel", .objNewInside, "bpf_obj_new from inside"),
                     ("kernel-htab", .createInsideFillOutside, "htab made inside, filled out"),
                     ("kernel-htab", .createOutsideFillInside, "htab made outside, filled in")]
        for (s, op, label) in cases {
            guard let w = topologies.first(where: { cell(s, $0, op, .bytesMemcg) != nil }), let c = cell(s, w, op, .bytesMemcg) else { continue }
            guard let total = c.stats?.median else {
                charged.append([label, "", "n/a", ""])
                if let r = c.missingReason, !reasons.contains(r) { reasons.append(r) }
                continue
            }
            let objects = median(s, w, op, .bytesObjects) ?? 0
            charged.append([label, text(objects, scale: 1024), text(total, scale: 1024), total >= objects / 2 ? "charged" : "not charged"])
        }
        if !charged.isEmpty {
            tables.append(.init(title: "Who is charged: a child memory cgroup's charge while the objects live (KiB)"
                                    + reasons.map { "; \($0)" }.joined(),
                                header: ["case", "objects KiB", "child KiB", "child cgroup"], rows: charged))
        }
        return tables
    }

    /// The kernel's time to create an allocator of its own: a 1-entry no-prealloc hash map
    /// (bpf_mem_alloc_init on every possible CPU), and the array map beside it.
    func kernelCreation() -> (htab: Double, array: Double?)? {
        guard let h = topologies.lazy.compactMap({ median("kernel-htab", $0, .mapCreate(entries: 1), .latencyUs) }).first else { return nil }
        return (h, topologies.lazy.compactMap { median("kernel-array", $0, .mapCreate(entries: 1), .latencyUs) }.first)
    }

    /// Creating one: the kernel's figure where the run has it, else the model's, labelled.
    func creationText(_ d: String) -> String? {
        if let k = kernelCreation() {
            return "the kernel creates one (a 1-entry no-prealloc hash map) in \(ResultCell.format(k.htab)) µs"
                + (k.array.map { ", an array map in \(ResultCell.format($0)) µs" } ?? "")
        }
        guard let w = topologies.first, let i = median(d, w, .create, .latencyUs) else { return nil }
        return "created in \(ResultCell.format(i)) µs (the model's, most of it reserving slabs the kernel does not)"
    }

    /// The bytes one surviving object pins, per topology: "30.49 KiB at 2 CPUs, …".
    func pinned(_ d: String) -> [String] {
        topologies.compactMap { w -> String? in
            guard let p = median(d, w, .pinned, .bytesKernel) else { return nil }
            return "\(OwnershipSection.bytes(p)) at \(OwnershipSection.cpuCount(w)) CPUs"
        }
    }

    /// The design the claim is about: percpu-ref's allocator, else the first per-program one.
    var perProgram: String? {
        let all = designs.filter { $0 != "global" && $0 != "kmem-cache" }
        return all.first { $0 == "percpu-ref" } ?? all.first
    }

    /// One line for the terminal summary: what owning an allocator costs in the kernel's terms.
    func summaryLine() -> String? {
        guard let d = perProgram, let first = pinned(d).first else { return nil }
        var s = "ownership: one live object pins \(d)'s allocator, \(first)"
        if let last = pinned(d).last, pinned(d).count > 1 { s += " (\(last))" }
        if let k = kernelCreation() { s += "; the kernel makes one in \(ResultCell.format(k.htab)) µs" }
        return s + (designs.contains("global") ? "; global: none" : "")
    }

    /// The finding: the trade-off in numbers (pinned bytes, creation, who is charged).
    func findings() -> [String] {
        var parts: [String] = []
        if let d = perProgram, !pinned(d).isEmpty {
            var s = "Owning an allocator: one surviving object pins a whole per-program allocator after its map is gone — \(d) \(pinned(d).joined(separator: ", ")) (kernel-equivalent: per-CPU list objects + bpf_mem_cache structs"
            if let w = topologies.last, let m = median(d, w, .pinned, .bytesModel) { s += "; the model reserves \(OwnershipSection.bytes(m)) at \(OwnershipSection.cpuCount(w)) CPUs)" } else { s += ")" }
            if let w = topologies.last, let r = median("percpu-ref", w, .refCreate, .bytesKernel) { s += "; its percpu_ref adds \(OwnershipSection.bytes(r))" }
            if let c = creationText(d) { s += "; \(c)" }
            if designs.contains("global") { s += "; global pins nothing per program (bpf_global_ma is made once at boot)" }
            parts.append(s)
        } else if let k = kernelCreation() {
            parts.append("The kernel here creates a 1-entry no-prealloc hash map (bpf_mem_alloc_init on every possible CPU) in \(ResultCell.format(k.htab)) µs")
        }
        if let c = chargeText() { parts.append(c) }
        return parts.isEmpty ? [] : [parts.joined(separator: "; ") + "."]
    }

    /// Who the memcg charges: the allocator's creator, whoever allocates.
    func chargeText() -> String? {
        func first(_ s: String, _ op: Op, _ metric: Metric) -> Double? {
            topologies.lazy.compactMap { median(s, $0, op, metric) }.first
        }
        guard let inside = first("kernel-htab", .createInsideFillOutside, .bytesMemcg),
              let global = first("kernel", .objNewInside, .bytesMemcg) else { return nil }
        let objectsIn = first("kernel-htab", .createInsideFillOutside, .bytesObjects) ?? 0
        let objectsG = first("kernel", .objNewInside, .bytesObjects) ?? 0
        return "the memcg that created an allocator pays for its objects whoever allocates: a htab made in a child cgroup and filled from outside charged it \(OwnershipSection.bytes(inside)) for \(OwnershipSection.bytes(objectsIn)) of elements, while bpf_obj_new from inside it charged \(OwnershipSection.bytes(global)) for \(OwnershipSection.bytes(objectsG)) (bpf_global_ma belongs to no program's cgroup)"
    }
}
