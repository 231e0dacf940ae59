/// The tables every text report shows, computed once from the rows: one small table per
/// (phase, workload, op) with a row per subject and a column per thread count, so every table
/// fits a 75-column mail whatever the matrix.
public struct ReportSections: Sendable {
    public struct Table: Sendable {
        public let title: String
        public let header: [String]
        public let rows: [[String]]
    }
    public let tables: [Table]
    public let findings: [String]

    /// - Parameter safety: verdicts of the thread's hazards replayed; their tables follow the
    ///   performance tables, linked to each strategy's cost.
    public init(rows: [ResultRow], safety: [SafetyVerdict] = []) {
        let measured = rows.filter { $0.phase != "scenario" }
        let performance = WalkCost.mainMapSize(measured)
        let table = ResultTable(rows: performance)
        let threads = table.distinct(\.threads).sorted()
        let sizes = table.distinct(\.size).sorted()
        let subjects = table.distinct(\.strategy)
        var tables: [Table] = []
        for size in sizes {
            let sizeNote = sizes.count > 1 ? ", \(size) B" : ""
            // Throughput per phase / workload / op.
            for phase in ["live", "post-kill", "drain"] {
                for workload in table.distinct(\.workload) {
                    let ops = table.distinct(\.op).filter { op in
                        table.order.contains { $0.phase == phase && $0.workload == workload && $0.op == op && $0.metric == "mops" && $0.size == size }
                    }
                    for op in ops {
                        var body: [[String]] = []
                        for s in subjects {
                            let cells = threads.map { table.cell(s, workload, phase, op, threads: $0, size: size, metric: "mops") }
                            if cells.allSatisfy({ $0 == nil }) { continue }
                            body.append([s] + cells.map { $0.map(Self.short) ?? "" })
                        }
                        if body.isEmpty { continue }
                        tables.append(Table(title: "\(phase) \(workload) \(op): Mops/s (median ± IQR/2)\(sizeNote)",
                                            header: ["strategy"] + threads.map { "\($0) thr" }, rows: body))
                    }
                }
            }
            // One-off events: kill, grace period, unload walk, teardown.
            var events: [[String]] = []
            for s in subjects {
                for t in threads {
                    func us(_ op: String, _ phase: String) -> String {
                        guard let c = table.order.first(where: { $0.strategy == s && $0.op == op && $0.phase == phase && $0.threads == t && $0.size == size && $0.metric == "latency_us" }).flatMap({ table.cells[$0] }) else { return "" }
                        return c.stats == nil ? "n/a" : ResultCell.format(c.stats!.median)
                    }
                    let destroy = [us("destroy", "drain"), us("destroy", "teardown")].first { !$0.isEmpty } ?? ""
                    let row = [s, "\(t)", us("kill", "kill"), us("grace", "kill"), us("walk", "kill"), destroy, us("teardown", "teardown")]
                    if row[2...].allSatisfy({ $0.isEmpty || $0 == "n/a" }) { continue }
                    events.append(row)
                }
            }
            if !events.isEmpty {
                tables.append(Table(title: "kill, switch confirmed, unload walk, destroy, teardown: µs (median)\(sizeNote)",
                                    header: ["strategy", "thr", "kill", "confirm", "walk", "destroy", "teardown"], rows: events))
            }
            // Latency percentiles.
            for phase in ["live", "post-kill"] {
                for op in ["alloc", "free"] {
                    var body: [[String]] = []
                    for s in subjects {
                        for w in table.distinct(\.workload) {
                            for t in threads {
                                let ps = ["p50_ns", "p99_ns", "p999_ns", "max_ns"].map {
                                    table.cell(s, w, phase, op, threads: t, size: size, metric: $0)?.stats.map { ResultCell.format($0.median) }
                                }
                                if ps.allSatisfy({ $0 == nil }) { continue }
                                body.append(["\(s) \(w)", "\(t)"] + ps.map { $0 ?? "" })
                            }
                        }
                    }
                    if !body.isEmpty {
                        tables.append(Table(title: "\(phase) \(op) latency, ns (median of repetitions)\(sizeNote)",
                                            header: ["strategy workload", "thr", "p50", "p99", "p99.9", "max"], rows: body))
                    }
                }
            }
        }
        let modelKernel = ModelKernelSection.tables(table)
        let safetySections = SafetySections(verdicts: safety, rows: performance)
        // The policies in the kernel's terms open the report (KernelStrategiesSection).
        self.tables = KernelStrategiesSection.tables(performance) + modelKernel + tables + safetySections.tables
        // A replay alone (`bench scenarios`) keeps each verdict's evidence; a run states claims.
        findings = performance.isEmpty ? safetySections.findings : RunFindings.compute(rows: measured, safety: safety)
    }

    /// Compact median ± half the IQR for narrow columns.
    static func short(_ c: ResultCell) -> String {
        guard let s = c.stats else { return "n/a" }
        return "\(ResultCell.format(s.median))±\(ResultCell.format(s.iqr / 2))"
    }
}
