import Results
import Statistics

/// bpf_global_ma's regime at the end of each interleaved block (phase interleaved, op
/// `kmalloc-unit`): `fresh` when refills took new memory, `reuse` when objects came back from
/// the RCU lists. The kernel table's title names the count of each; where both occur, a table
/// gives the pair's cells per regime, so a policy's few ns can be read against the right pair.
enum RegimeSplit {
    /// Regime of each block, per thread count and size.
    static func regimes(_ rows: [ResultRow]) -> [Key: String] {
        var out: [Key: String] = [:]
        for r in rows where r.phase == .interleaved && r.op == .kmallocUnit && r.metric == .per1000Ops {
            if let v = r.value { out[Key(threads: r.threads, size: r.size, block: r.repetition)] = AnatomySection.regime(perThousand: v) }
        }
        return out
    }

    struct Key: Hashable {
        let threads: Int, size: Int, block: Int
    }

    /// "allocator regime at each block's end: reuse 28/28; after each whole repetition: reuse
    /// 70/70" for `size`; nil without rows.
    static func summary(_ rows: [ResultRow], size: Int) -> String? {
        func counts(_ r: [String]) -> String {
            ["fresh", "mixed", "reuse"].compactMap { k in
                let n = r.filter { $0 == k }.count
                return n == 0 ? nil : "\(k) \(n)/\(r.count)"
            }.joined(separator: ", ")
        }
        let blocks = regimes(rows).filter { $0.key.size == size }.map(\.value)
        let repetitions = rows.filter { $0.phase == .live && $0.op == .kmallocUnit && $0.metric == .per1000Ops && $0.size == size }
            .compactMap(\.value).map(AnatomySection.regime(perThousand:))
        var parts: [String] = []
        if !blocks.isEmpty { parts.append("allocator regime at each block's end: " + counts(blocks)) }
        if !repetitions.isEmpty { parts.append("after each whole repetition: " + counts(repetitions)) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Where fresh and reuse blocks both occur: the pair's cells per regime (medians of
    /// blocks; too few blocks per regime for an interval).
    static func table(_ rows: [ResultRow]) -> ReportSections.Table? {
        let regimes = regimes(rows)
        guard Set(regimes.values).contains("fresh"), Set(regimes.values).contains("reuse") else { return nil }
        var body: [[String]] = []
        let subjects = Set(rows.filter { $0.phase == .interleaved && $0.workload == "pair" && $0.op == .pair && $0.metric == .addedNs }
            .map(\.strategy)).sorted()
        for key in Set(regimes.keys.map { Key(threads: $0.threads, size: $0.size, block: 0) }).sorted(by: { ($0.size, $0.threads) < ($1.size, $1.threads) }) {
            func cell(_ subject: String, _ metric: Metric, _ regime: String) -> String {
                let v = rows.filter { r in
                    r.phase == .interleaved && r.strategy == subject && r.workload == "pair" && r.op == .pair && r.metric == metric
                        && r.threads == key.threads
                        && r.size == key.size && regimes[Key(threads: r.threads, size: r.size, block: r.repetition)] == regime
                }.compactMap(\.value)
                return v.isEmpty ? "" : "\(AnatomySection.f(Effect.median(v))) (n=\(v.count))"
            }
            body.append(["kernel ns", "\(key.threads)", cell("kernel", .nsPerOp, "fresh"), cell("kernel", .nsPerOp, "reuse")])
            for s in subjects { body.append(["\(s) +ns", "\(key.threads)", cell(s, .addedNs, "fresh"), cell(s, .addedNs, "reuse")]) }
        }
        return ReportSections.Table(title: "the pair by allocator regime at the block's end (medians of blocks): fresh refills vs reuse from the RCU lists",
                                    header: ["pair", "thr", "fresh", "reuse"], rows: body)
    }

    /// Whole kernel repetitions (phase live) whose cells met both regimes: each cell's ns/op
    /// per regime (medians of repetitions). Nil when no cell did.
    static func repetitionTable(_ rows: [ResultRow]) -> ReportSections.Table? {
        struct Rep: Hashable { let strategy: String, workload: String, threads: Int, size: Int, repetition: Int }
        struct Cell: Hashable { let strategy: String, workload: String, op: Op, threads: Int, size: Int }
        var regime: [Rep: String] = [:]
        for r in rows where r.phase == .live && r.op == .kmallocUnit && r.metric == .per1000Ops {
            if let v = r.value {
                regime[Rep(strategy: r.strategy, workload: r.workload, threads: r.threads, size: r.size, repetition: r.repetition)] =
                    AnatomySection.regime(perThousand: v)
            }
        }
        guard !regime.isEmpty else { return nil }
        var cells: [Cell: [String: [Double]]] = [:]
        for r in rows where r.phase == .live && r.metric == .nsPerOp {
            guard let v = r.value,
                let g = regime[Rep(strategy: r.strategy, workload: r.workload, threads: r.threads, size: r.size, repetition: r.repetition)]
            else { continue }
            cells[Cell(strategy: r.strategy, workload: r.workload, op: r.op, threads: r.threads, size: r.size), default: [:]][g, default: []].append(v)
        }
        let both = cells.filter { $0.value["fresh"] != nil && $0.value["reuse"] != nil }
            .sorted { ($0.key.strategy, $0.key.workload, $0.key.op.rawValue, $0.key.threads) < ($1.key.strategy, $1.key.workload, $1.key.op.rawValue, $1.key.threads) }
        guard !both.isEmpty else { return nil }
        func cell(_ v: [Double]?) -> String { v.map { "\(AnatomySection.f(Effect.median($0))) (n=\($0.count))" } ?? "" }
        return ReportSections.Table(title: "whole kernel repetitions by the allocator's regime just after them: ns/op (medians of repetitions), only cells that met both",
                                    header: ["subject", "workload op", "thr", "fresh", "reuse"],
                                    rows: both.map { k, v in [k.strategy, "\(k.workload) \(k.op.rawValue)", "\(k.threads)", cell(v["fresh"]), cell(v["reuse"])] })
    }
}
