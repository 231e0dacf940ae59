import Foundation
import Results
import Statistics

/// The anatomy of the kernel's pair (phase `anatomy`): what `kernel`'s bpf_obj_new +
/// bpf_obj_drop and `kernel-htab`'s update + delete are made of, per block: the pair untraced,
/// the parts measured (harness, inside irq_work, irq_work's outside cost, RCU softirq) and the
/// rest; the events raw tracepoints counted; the slab bytes the churn held. Each time is the
/// median over blocks with the sign test's 95 % interval.
public enum AnatomySection {
    static let kernel = "kernel", htab = "kernel-htab"
    /// The parts in table order: the pair, then what it is made of.
    static let parts: [(op: Op, label: String)] = [
        (.pair, "pair (untraced)"), (.harness, "harness"), (.irqWork, "in irq_work"),
        (.irqWorkOutside, "irq_work outside"), (.rcuSoftirq, "in RCU softirq"), (.rest, "rest"),
    ]
    static let counted: [(op: Op, label: String)] = [
        (.kmallocUnit, "kmalloc obj"), (.kmalloc, "kmalloc"), (.kfree, "kfree"), (.pages, "pages"),
        (.irqWork, "irq_work"), (.rcuSoftirq, "RCU sirq"),
    ]

    static func values(_ rows: [ResultRow], _ subject: String, _ op: Op, _ metric: Metric) -> [Double] {
        rows.filter { $0.phase == .anatomy && $0.strategy == subject && $0.op == op && $0.metric == metric }
            .sorted { $0.repetition < $1.repetition }.compactMap(\.value)
    }

    /// A part's time per op under its own metric (runs before difference_ns wrote every part as ns_per_op).
    static func partValues(_ rows: [ResultRow], _ subject: String, _ op: Op) -> [Double] {
        let v = values(rows, subject, op, op.anatomyMetric)
        return v.isEmpty ? values(rows, subject, op, .nsPerOp) : v
    }

    /// "432 [417, 444]": the median and its interval over blocks, or the median and n.
    static func text(_ v: [Double]) -> String {
        guard let r = MedianInterval.interval(v) else { return "" }
        switch r {
        case .interval(let a): return "\(f(a.added)) [\(f(a.low)), \(f(a.high))]"
        case .tooFewUnits(let e, let n): return "\(f(e)) (n=\(n))"
        }
    }

    /// ns as a kernel developer reads them: whole above 100, one decimal above 10, else two.
    static func f(_ v: Double) -> String {
        String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 10 ? "%.1f" : "%.2f", v)
    }

    /// The median, or "" without values.
    static func medianText(_ v: [Double]) -> String { v.isEmpty ? "" : f(Effect.median(v)) }

    /// The regime of each block, from its fresh kmallocs of the objects' size per op: `fresh`
    /// (≥ 0.5: refills take new memory), `reuse` (< 0.1: objects come back from the RCU lists),
    /// `mixed` between.
    static func regimes(_ rows: [ResultRow], _ subject: String) -> [String] {
        values(rows, subject, .kmallocUnit, .per1000Ops).map(regime(perThousand:))
    }

    static func regime(perThousand v: Double) -> String { v >= 500 ? "fresh" : v < 100 ? "reuse" : "mixed" }

    static func regimeText(_ rows: [ResultRow], _ subject: String) -> String {
        let r = regimes(rows, subject)
        return ["fresh", "mixed", "reuse"].compactMap { k in
            let n = r.filter { $0 == k }.count
            return n == 0 ? nil : "\(k) \(n)/\(r.count)"
        }.joined(separator: ", ")
    }

    public static func tables(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let mine = rows.filter { $0.phase == .anatomy }
        guard !values(mine, kernel, .pair, .nsPerOp).isEmpty else { return [] }
        let subjects = [kernel, htab].filter { !values(mine, $0, .pair, .nsPerOp).isEmpty }
        let blocks = values(mine, kernel, .pair, .nsPerOp).count
        var out: [ReportSections.Table] = []
        out.append(.init(title: "anatomy of the kernel's pair: ns per pair, median [95 % interval] over \(blocks) blocks on one CPU;"
                         + " harness = an empty bpf_loop step; in irq_work / RCU softirq = time inside their handlers (traced);"
                         + " irq_work outside = raising the self-IPI, entering and returning (each pair timed in the kernel);"
                         + " rest = the pair less the parts: unexplained",
                         header: ["part"] + subjects, rows: parts.map { p in
                            [p.label] + subjects.map { text(partValues(mine, $0, p.op)) }
                         }))
        out.append(.init(title: "what raw tracepoints counted under each pair, per 1000 pairs (exact, the traced loops); kmalloc obj = of the"
                         + " objects' kmalloc size: ~1000 when refills take fresh memory, ~0 when objects come back from the RCU lists"
                         + " (htab's elements live in another cache); the regime of kernel's blocks: \(regimeText(mine, kernel))",
                         header: ["subject"] + counted.map(\.label), rows: subjects.map { s in
                            [s] + counted.map { c in medianText(values(mine, s, c.op, .per1000Ops)) }
                         }))
        var facts: [[String]] = []
        let nolock = values(mine, kernel, .kmallocNolock, .addedNs)
        if !nolock.isEmpty {
            facts.append(["kmalloc_nolock+kfree_nolock, ns", text(nolock)])
        }
        // Runs before per_event_ns wrote one irq_work's outside cost as latency_us, a probe's as ns_per_op.
        let perIrq = values(mine, kernel, .irqWorkOutside, .perEventNs) + values(mine, kernel, .irqWorkOutside, .latencyUs).map { $0 * 1000 }
        if !perIrq.isEmpty { facts.append(["irq_work outside, ns each", text(perIrq)]) }
        for s in subjects {
            let probe = values(mine, s, .probe, .perEventNs) + values(mine, s, .probe, .nsPerOp)
            if !probe.isEmpty { facts.append(["probe cost, ns/event, \(s)", medianText(probe)]) }
            // Runs before bytes_slab_peak/avg wrote the same deltas as bytes_peak/avg.
            let peak = values(mine, s, .held, .bytesSlabPeak) + values(mine, s, .held, .bytesPeak)
            let avg = values(mine, s, .held, .bytesSlabAvg) + values(mine, s, .held, .bytesAvg), swing = values(mine, s, .held, .bytesSwing)
            if let p = peak.first, let a = avg.first {
                let sw = swing.first.map { "swing \(f($0 / 1024)), " } ?? ""
                facts.append(["slab KiB in churn, \(s)", "\(sw)peak \(f(p / 1024)), avg \(f(a / 1024))"])
            }
        }
        if !facts.isEmpty {
            out.append(.init(title: "anatomy, context: kmalloc_nolock + kfree_nolock = bpf_timer_init on a map no user holds (allocates,"
                             + " sets the hrtimer up, frees: -EPERM) less the same call on an armed timer (-EBUSY), with hrtimer_setup and"
                             + " the memcg charge, no kmem tracepoint on either side; one irq_work's time outside its handler; the probes'"
                             + " own cost; slab KiB of the kmalloc-cg-* caches while one CPU churns pairs: swing = peak − lowest, peak and"
                             + " avg over the level after 200 ms at rest (below it when earlier objects finish their grace periods)",
                             header: ["what", "value"], rows: facts))
        }
        return out
    }

    /// One line for the terminal: the kernel's pair by part (means over blocks, so the parts
    /// add up to the pair), htab's pair, the regime.
    public static func summary(_ rows: [ResultRow]) -> String? {
        let mine = rows.filter { $0.phase == .anatomy }
        func m(_ s: String, _ op: Op) -> String? {
            let v = partValues(mine, s, op)
            return v.isEmpty ? nil : f(v.reduce(0, +) / Double(v.count))
        }
        guard let pair = m(kernel, .pair) else { return nil }
        let parts = [(Op.harness, "harness"), (.irqWork, "irq_work inside"), (.irqWorkOutside, "outside"), (.rcuSoftirq, "RCU softirq"),
                     (.rest, "rest")].compactMap { op, label in m(kernel, op).map { "\($0) \(label)" } }
        let n = values(mine, kernel, .pair, .nsPerOp).count
        var line = "anatomy (means of \(n) block\(n == 1 ? "" : "s")): kernel's pair \(pair) ns = " + parts.joined(separator: " + ")
            + " (\(regimeText(mine, kernel)))"
        if let h = m(htab, .pair) { line += "; kernel-htab \(h) ns" }
        return line
    }
}
