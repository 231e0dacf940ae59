import Results
import Statistics
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
    /// Every claim in order: `claims.kernel` then `claims.model`.
    public let findings: [String]
    public let claims: RunClaims
    /// The ownership line of the terminal summary.
    public let ownershipSummary: String?

    /// - Parameter safety: verdicts of the thread's hazards replayed; their tables follow the
    ///   performance tables, linked to each strategy's cost.
    public init(rows: [ResultRow], safety: [SafetyVerdict] = []) {
        let measured = rows.filter { $0.phase != .scenario && $0.phase != Phase.own }
        let performance = WalkCost.mainMapSize(measured)
        let table = ResultTable(rows: performance)
        let threads = table.distinct(\.threads).sorted()
        let sizes = table.distinct(\.size).sorted()
        let subjects = table.distinct(\.strategy).filter { $0 != "host" }
        let host = HostRows(measured)
        var tables: [Table] = []
        for size in sizes {
            let sizeNote = sizes.count > 1 ? ", \(size) B" : ""
            // Throughput per phase / workload / op.
            for phase in [Phase.live, .postKill, .drain] {
                for workload in table.distinct(\.workload) {
                    let ops = table.distinct(\.op).filter { op in
                        table.order.contains { $0.phase == phase && $0.workload == workload && $0.op == op && $0.metric == .mops && $0.size == size }
                    }
                    for op in ops {
                        var body: [[String]] = []
                        for s in subjects {
                            let cells = threads.map { table.cell(s, workload, phase, op, threads: $0, size: size, metric: .mops) }
                            if cells.allSatisfy({ $0 == nil }) { continue }
                            body.append([s] + cells.map { $0.map(Self.short) ?? "" })
                        }
                        if body.isEmpty { continue }
                        let what = phase == .postKill ? "after the kill, every worker frees at once (\(workload) case)"
                            : phase == .drain ? "the map's free after the kill, one thread (\(workload) case)" : "\(phase) \(workload) \(op)"
                        tables.append(Table(title: "\(what): Mops/s (median ± IQR/2)\(sizeNote)",
                                            header: ["strategy"] + threads.map { "\($0) thr" }, rows: body))
                    }
                }
            }
            // One-off events: kill, grace period, unload walk, teardown.
            var events: [[String]] = []
            for s in subjects {
                for t in threads {
                    func us(_ op: Op, _ phase: Phase) -> String {
                        guard let c = table.order.first(where: { $0.strategy == s && $0.op == op && $0.phase == phase && $0.threads == t && $0.size == size && $0.metric == .latencyUs }).flatMap({ table.cells[$0] }) else { return "" }
                        return c.stats == nil ? "n/a" : ResultCell.format(c.stats!.median)
                    }
                    let destroy = [us(.destroy, .drain), us(.destroy, .teardown)].first { !$0.isEmpty } ?? ""
                    let row = [s, "\(t)", us(.kill, .kill), us(.grace, .kill), us(.fold, .kill), us(.walk, .kill), destroy,
                               us(.teardown, .teardown)]
                    if row[2...].allSatisfy({ $0.isEmpty || $0 == "n/a" }) { continue }
                    events.append(row)
                }
            }
            if !events.isEmpty {
                var title = "kill (its caller's cost), grace period, fold, unload walk, destroy, teardown: µs (median)\(sizeNote)"
                if !host.kernelGraceMicroseconds.isEmpty {
                    title += "; this kernel's synchronize_rcu (membarrier): \(ResultCell.format(Effect.median(host.kernelGraceMicroseconds) / 1000)) ms"
                }
                tables.append(Table(title: title, header: ["strategy", "thr", "kill", "grace", "fold", "walk", "destroy", "teardown"], rows: events))
            }
            tables += Self.latencyTables(table, subjects: subjects, threads: threads, size: size, sizeNote: sizeNote,
                                    resolution: host.clockResolutionNs)
        }
        let modelKernel = ModelKernelSection.tables(table)
        let kernelSafety = KernelSafetyCheck.all(in: rows)
        let safetySections = SafetySections(verdicts: safety, rows: performance, kernel: kernelSafety)
        let ownership = OwnershipSection(rows: rows)  // issue 19: the cost of owning an allocator
        // The kernel's own refcounts open the report, then the policies in the kernel's terms.
        self.tables = NativeRefsSection.tables(performance) + KernelStrategiesSection.tables(performance) + modelKernel + [RegimeSplit.table(performance), RegimeSplit.repetitionTable(performance)].compactMap { $0 } + tables + AnatomySection.tables(performance) + safetySections.tables + ownership.tables
        // A replay alone (`bench scenarios`) keeps each verdict's evidence; a run states at most
        // RunClaims.limit claims, the kernel's first.
        claims = performance.isEmpty ? RunClaims(kernel: safetySections.findings + ownership.findings, model: [])
            : RunFindings.claims(rows: measured, safety: safety, ownership: ownership.findings, kernelSafety: kernelSafety)
        findings = claims.all
        ownershipSummary = ownership.summary
    }

    /// Single-op percentiles, only where they say something: a value below the clock's
    /// resolution is printed `<N`, and a row whose p50…p99.9 all sit within one clock step is
    /// left out (a pair on one CPU costs a few ns, under the step of a virtualized TSC). What
    /// remains: watermark refills and drains (batch tails), contended operations.
    static func latencyTables(_ table: ResultTable, subjects: [String], threads: [Int], size: Int, sizeNote: String,
                              resolution: Double?) -> [Table] {
        let step = resolution ?? 0
        func cell(_ v: Double) -> String { v < step ? "<\(ResultCell.format(step))" : ResultCell.format(v) }
        var tables: [Table] = []
        var hidden = 0
        for op in [Op.alloc, .free] {
            var body: [[String]] = []
            for s in subjects {
                for w in table.distinct(\.workload) {
                    for t in threads {
                        let ps = [Metric.p50Ns, .p99Ns, .p999Ns, .maxNs].map {
                            table.cell(s, w, .live, op, threads: t, size: size, metric: $0)?.stats?.median
                        }
                        if ps.allSatisfy({ $0 == nil }) { continue }
                        if ps.prefix(3).allSatisfy({ ($0 ?? 0) <= step }) { hidden += 1; continue }
                        body.append(["\(s) \(w)", "\(t)"] + ps.map { $0.map(cell) ?? "" })
                    }
                }
            }
            if !body.isEmpty {
                var title = "live \(op) latency, ns (median of repetitions)\(sizeNote)"
                if let r = resolution { title += "; clock resolution \(ResultCell.format(r)) ns" }
                title += "; max = the slowest single op: host preemption and interrupts, not the allocator"
                tables.append(Table(title: title, header: ["strategy workload", "thr", "p50", "p99", "p99.9", "max"], rows: body))
            }
        }
        if hidden > 0, let last = tables.indices.last {
            let t = tables[last]
            tables[last] = Table(title: t.title + " (\(hidden) cases left out: p50 to p99.9 within one clock step)", header: t.header, rows: t.rows)
        }
        if let t = afterKillLatencyTable(table, subjects: subjects, threads: threads, size: size, sizeNote: sizeNote, cell: cell) {
            tables.append(t)
        }
        return tables
    }

    /// A free timed alone, live against after the kill: racing the kill (the in-flight frees
    /// while the switch is queued), every worker at once after it, and the map's free on one
    /// thread. The release (the last put that destroys) is never in these: it is its own
    /// `destroy` row.
    static func afterKillLatencyTable(_ table: ResultTable, subjects: [String], threads: [Int], size: Int, sizeNote: String,
                                      cell: (Double) -> String) -> Table? {
        let columns: [(phase: Phase, op: Op, metric: Metric)] = [
            (.live, .free, .p50Ns), (.live, .free, .p99Ns), (.kill, .free, .p99Ns),
            (.postKill, .free, .p50Ns), (.postKill, .free, .p99Ns), (.drain, .drain, .p99Ns),
        ]
        var body: [[String]] = []
        // The lifetime strategies (global as the floor), on the workloads that have a live
        // latency pass: what happens after the kill does not depend on the live workload.
        for s in subjects where RunFindings.policies.contains(s) || s == "global" {
            for w in table.distinct(\.workload) where ["pair", "batch"].contains(w) {
                for t in threads {
                    let v = columns.map { table.cell(s, w, $0.phase, $0.op, threads: t, size: size, metric: $0.metric)?.stats?.median }
                    guard v[3] != nil || v[4] != nil else { continue }
                    body.append(["\(s) \(w)", "\(t)"] + v.map { $0.map(cell) ?? "" })
                }
            }
        }
        guard !body.isEmpty else { return nil }
        return Table(title: "free latency, live vs after the kill, ns (median of repetitions)\(sizeNote); each free timed alone; "
                        + "p50 and p99 live; race = frees in flight while the kill and its switch run; after = every worker at once "
                        + "after it; map = the map's free; the release is its own destroy row",
                     header: ["strategy workload", "thr", "live50", "live99", "race99", "after50", "after99", "map99"], rows: body)
    }

    /// Compact median ± half the IQR for narrow columns.
    static func short(_ c: ResultCell) -> String {
        guard let s = c.stats else { return "n/a" }
        return "\(ResultCell.format(s.median))±\(ResultCell.format(s.iqr / 2))"
    }
}
