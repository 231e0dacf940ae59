/// "These results show:" bullets, each computed from the data (nothing here is hard-coded
/// about which strategy wins).
public enum RunFindings {
    public static func compute(table: ResultTable) -> [String] {
        var out: [String] = []
        let threads = table.distinct(\.threads).sorted()
        let sizes = table.distinct(\.size).sorted()
        guard let size = sizes.first else { return out }
        let t1 = threads.first ?? 1
        func mops(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int) -> Double? {
            table.cell(s, w, phase, op, threads: t, size: size, metric: "mops")?.stats?.mean
        }
        func nsop(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int) -> Double? {
            table.cell(s, w, phase, op, threads: t, size: size, metric: "ns_per_op")?.stats?.mean
        }
        let strategies = table.distinct(\.strategy)
        // Post-kill vs live per strategy on the pair workload (the thread's "downgrades to atomic").
        for s in strategies {
            if let live = mops(s, "pair", "live", "pair", t1), let post = mops(s, "pair", "post-kill", "pair", t1), live > 0 {
                out.append("\(s): post-kill pair throughput is \(fmt(post / live))× live (\(t1) thread\(t1 == 1 ? "" : "s")).")
            }
        }
        // Cost relative to global, the design that landed.
        if let g = nsop("global", "pair", "live", "pair", t1) {
            for s in strategies where s != "global" {
                if let v = nsop(s, "pair", "live", "pair", t1), ["atomic", "percpu-ref", "lazy", "kmem-cache", "hybrid"].contains(s) {
                    out.append("\(s) live pair costs \(fmt(v)) ns vs global \(fmt(g)) ns (\(fmt(v / g))×).")
                }
            }
        }
        // Scaling with threads: aggregate throughput at the most threads vs one thread.
        if let tN = threads.last, tN > t1 {
            for s in strategies {
                if let a = mops(s, "pair", "live", "pair", t1), let b = mops(s, "pair", "live", "pair", tN), a > 0 {
                    out.append("\(s) scales \(fmt(b / a))× from \(t1) to \(tN) threads on pair (ideal \(tN / t1)×).")
                }
            }
        }
        // Drain: frees after the kill.
        if let g = table.cell("global", "pair", "drain", "drain", threads: t1, size: size, metric: "ns_per_op")?.stats?.mean {
            for s in strategies where s != "global" {
                if let v = table.cell(s, "pair", "drain", "drain", threads: t1, size: size, metric: "ns_per_op")?.stats?.mean {
                    out.append("\(s) frees after the kill at \(fmt(v)) ns/object vs global \(fmt(g)) ns.")
                }
            }
        }
        // Harness cost.
        if let n = nsop("noop", "pair", "live", "pair", t1) {
            out.append("The harness itself costs \(fmt(n)) ns per alloc+free pair (noop row).")
        }
        return out
    }

    static func fmt(_ v: Double) -> String { ResultCell.format(v) }
}
