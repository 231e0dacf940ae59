import Foundation
import KernelAllocator
import Reports
import Results
import Statistics

/// `bench anatomy`'s text: counts per 1000 ops, the time per op by part with its remainder,
/// each traced block's regime, the curve against repetition length, the probes that did not
/// attach. Lines within 75 columns.
enum AnatomyText {
    static func render(_ results: [(KernelSubjectKind, [AnatomyBlock])], harnessNs: Double?,
                       curves: [(KernelSubjectKind, [[(lengthNs: Int, nsPerOp: Double)]])], held: [(KernelSubjectKind, HeldMemory)] = [],
                       nolock: Result<KmallocNolockCost, KernelUnavailable>? = nil, unavailable: [String: String], size: Int) -> String {
        var out: [String] = []
        let unit = KernelAnatomy.kmallocBytes(objectSize: size)
        out.append("anatomy of the pair, \(size) B objects (kmalloc-\(unit)); counts per 1000 ops,")
        out.append("exact, summed over the traced loops")
        out += table(["subject", "kmalloc-\(unit)", "kmalloc", "kfree", "pages", "irq_work", "rcu sirq"], results.map { s, b in
            let ops = b.reduce(UInt64(0)) { $0 + $1.tracedOps }
            let c = b.reduce(AnatomyCounts()) { sum, x in var t = sum; add(&t, x.counts); return t }
            func k(_ v: UInt64) -> String { f(1000 * Double(v) / Double(max(ops, 1))) }
            return [s.rawValue, k(c.kmallocUnit), k(c.kmallocAll), k(c.kfreeAll), k(c.pages), k(c.irqWork), k(c.rcuSoftirq)]
        })
        out += partLines(results, harnessNs: harnessNs)
        out += curveAndHeldLines(results, curves: curves, held: held)
        out += nolockLines(nolock, unavailable: unavailable)
        return out.joined(separator: "\n") + "\n"
    }

    /// The time per pair by part, irq_work's cost outside its handler, kernel − htab, the probes'
    /// own cost and each traced block's regime.
    static func partLines(_ results: [(KernelSubjectKind, [AnatomyBlock])], harnessNs: Double?) -> [String] {
        var out: [String] = []
        out.append("")
        out.append("ns per pair, median [95 % interval over blocks]: the pair untraced;")
        out.append("harness (an empty bpf_loop step); inside irq_work and the RCU softirq")
        out.append("(traced); irq_work outside its handler (timed_pair); rest = the pair less")
        out.append("the parts (unexplained)")
        let parts = results.map { s, b in (s, b.map { AnatomyParts($0, harnessNs: harnessNs ?? 0) }) }
        func column(_ p: [AnatomyParts], _ part: (AnatomyParts) -> Double?) -> String { interval(p.compactMap(part)) }
        let rows: [(String, (AnatomyParts) -> Double?)] = [
            ("pair", { $0.pair }), ("harness", { $0.harness }), ("inside irq_work", { $0.irqWorkInside }),
            ("irq_work outside", { $0.irqWorkOutside }), ("inside RCU softirq", { $0.rcuSoftirq }), ("rest", { $0.rest }),
        ]
        out += table(["part"] + parts.map(\.0.rawValue), rows.map { label, part in [label] + parts.map { column($0.1, part) } })
        let timing = results.flatMap { $0.1.compactMap(\.timing) }
        if !timing.isEmpty {
            let out1 = timing.compactMap(\.outsideNsPerIrqWork), handler = timing.compactMap(\.handlerNsPerIrqWork)
            let plain = timing.compactMap(\.plainNsPerOp)
            out += wrap("one irq_work outside its handler (the self-IPI's raise, the interrupt's entry and return, two probes): "
                        + "\(interval(out1)) ns; inside it \(interval(handler)) ns; a timed pair nothing entered "
                        + "\(interval(plain)) ns (two clock reads included)")
        }
        if let k = results.first(where: { $0.0 == .kernel })?.1, let h = results.first(where: { $0.0 == .kernelHtab })?.1 {
            let d = Effect.median(k.map(\.untracedNsPerOp)) - Effect.median(h.map(\.untracedNsPerOp))
            out.append("kernel − kernel-htab: \(f(d)) ns per pair (deferral through bpf_mem_free_rcu")
            out.append("  against immediate reuse; htab's own hashing and bucket lock on the other side)")
        }
        let probe = results.compactMap { s, b in
            Effect.median(b.compactMap(\.probeNsPerEvent)).isFinite ? "\(s.rawValue) \(f(Effect.median(b.compactMap(\.probeNsPerEvent)))) ns" : nil
        }
        out.append("the probes' own cost per event: " + probe.joined(separator: ", ") + "; irq_work's")
        out.append("  time includes the probes fired inside it (its kmallocs and pages)")
        out.append("")
        out.append("regime of each traced block (kmallocs of the objects' size per op):")
        for (s, b) in results {
            let blocks = b.map { "\(f($0.untracedNsPerOp)) ns \(f($0.kmallocsPerOp))/op" }
            out += wrap("\(s.rawValue): " + blocks.joined(separator: "; "))
        }
        return out
    }

    /// The curve against repetition length, the slab bytes held, and the published figures beside this host's.
    static func curveAndHeldLines(_ results: [(KernelSubjectKind, [AnatomyBlock])],
                                  curves: [(KernelSubjectKind, [[(lengthNs: Int, nsPerOp: Double)]])],
                                  held: [(KernelSubjectKind, HeldMemory)]) -> [String] {
        var out: [String] = []
        if !curves.isEmpty {
            out.append("")
            out.append("pair ns/op against one repetition's length (untraced, a fresh load each;")
            out.append("median of rounds, the lengths' order rotated; min–max below)")
            let lengths = curves.first?.1.first?.map { $0.lengthNs } ?? []
            out += table(["subject"] + lengths.map(lengthText), curves.flatMap { s, rounds in
                let byLength = lengths.map { l in rounds.compactMap { $0.first { $0.lengthNs == l }?.nsPerOp } }
                return [[s.rawValue] + byLength.map { $0.isEmpty ? "—" : f(Effect.median($0)) },
                        ["  min–max"] + byLength.map { v in v.isEmpty ? "" : "\(g(v.min()!))–\(g(v.max()!))" }]
            })
        }
        if !held.isEmpty {
            out.append("")
            out.append("slab bytes held over the level before the churn (kmalloc-cg-* caches,")
            out.append("/proc/slabinfo sampled every ~2 ms from another CPU):")
            out += table(["subject", "peak", "average", "peak − lowest", "samples"], held.map { s, h in
                [s.rawValue, kib(Double(h.peakBytes)), kib(h.averageBytes), kib(Double(h.peakBytes - h.lowestBytes)), "\(h.samples)"]
            })
        }
        if let k = results.first(where: { $0.0 == .kernel })?.1 {
            let timing = k.compactMap(\.timing)
            out.append("")
            out += wrap(publishedLine + hostLine(timing, blocks: k))
        }
        return out
    }

    /// kmalloc_nolock's cost (context for the pair) and the probes that did not attach.
    static func nolockLines(_ nolock: Result<KmallocNolockCost, KernelUnavailable>?, unavailable: [String: String]) -> [String] {
        var out: [String] = []
        switch nolock {
        case .success(let k)?:
            out.append("")
            out += wrap("kmalloc_nolock + kfree_nolock (context, not the pair's path): bpf_timer_init on a map no user holds "
                        + "(allocates, sets the hrtimer up, frees, -EPERM) costs \(interval(k.unownedNs)) ns per call, "
                        + "\(interval(k.addedNs)) ns more than the same call on an armed timer (-EBUSY, no allocation); the "
                        + "difference includes hrtimer_setup and the memcg charge; no kmem tracepoint fires on either side")
        case .failure(let u)?: out.append("n/a: kmalloc_nolock: \(u.reason) (\(u.note))")
        case nil: break
        }
        for (tracepoint, why) in unavailable.sorted(by: { $0.key < $1.key }) { out.append("n/a: \(tracepoint) did not attach: \(why)") }
        return out
    }

    /// "432 [417, 444]" (sign-test 95 % interval over blocks), or "432 (n=5)" with too few.
    static func interval(_ v: [Double]) -> String {
        switch MedianInterval.interval(v) {
        case .interval(let a)?: return "\(f(a.added)) [\(f(a.low)), \(f(a.high))]"
        case .tooFewUnits(let e, let n)?: return "\(f(e)) (n=\(n))"
        case nil: return "—"
        }
    }

    static func kib(_ bytes: Double) -> String { ResultCell.format(bytes / 1024) + " KiB" }

    /// The selftests' published figures (docs/kernel-facts.md, "Published figures"), for the reader to set beside these.
    static let publishedLine = "published (selftests bench_bpf_ma, 8-CPU KVM guest, 128 B, batch 64, after bpf_mem_free_rcu): "
        + "88.6 ns per alloc, 29.6 ns per free, ~118 ns a pair. "

    /// This host's side: the guest, what one irq_work costs outside and inside its handler,
    /// their share per pair, and a pair nothing interrupted.
    static func hostLine(_ timing: [AnatomyTiming], blocks: [AnatomyBlock]) -> String {
        let outside = timing.compactMap(\.outsideNsPerIrqWork), inside = timing.compactMap(\.handlerNsPerIrqWork)
        let plain = timing.compactMap(\.plainNsPerOp)
        guard !outside.isEmpty, !inside.isEmpty, !plain.isEmpty else { return "Here: 2 vCPUs of a Firecracker guest." }
        let perThousand = Effect.median(blocks.map { $0.perThousand($0.counts.irqWork) })
        let o = Effect.median(outside), i = Effect.median(inside)
        return "Here: 2 vCPUs of a Firecracker/KVM guest, where one irq_work costs \(g(o / 1000)) µs outside its handler "
            + "(raising the self-IPI, entering and returning) and \(g(i / 1000)) µs inside it; at \(g(perThousand)) per 1000 pairs "
            + "that is \(g((o + i) * perThousand / 1000)) ns per pair, while a pair nothing interrupted takes \(g(Effect.median(plain))) ns "
            + "(two clock reads included)."
    }

    /// A number in the fewest digits that carry it: whole above 100, one decimal above 10.
    static func g(_ v: Double) -> String { String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 10 ? "%.1f" : "%.2f", v) }

    static func add(_ t: inout AnatomyCounts, _ x: AnatomyCounts) {
        t.kmallocUnit += x.kmallocUnit; t.kmallocAll += x.kmallocAll; t.kfreeAll += x.kfreeAll; t.pages += x.pages
        t.irqWork += x.irqWork; t.irqWorkNs += x.irqWorkNs; t.rcuSoftirq += x.rcuSoftirq; t.rcuSoftirqNs += x.rcuSoftirqNs
    }

    static func f(_ v: Double) -> String { v.isFinite ? ResultCell.format(v) : "—" }

    static func lengthText(_ ns: Int) -> String { ns >= 1_000_000_000 ? "\(ns / 1_000_000_000) s" : "\(ns / 1_000_000) ms" }

    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
    }

    static func wrap(_ text: String) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > 75, !current.isEmpty { lines.append(current); current = "  " }
            current += (current.isEmpty || current == "  " ? "" : " ") + word
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(current) }
        return lines
    }
}
