import Foundation
import Results
import Statistics

/// "Strategies in the kernel": each lifetime policy's accounting run inside BPF programs around
/// bpf_global_ma (`kernel-atomic`, `kernel-percpu-ref`, `kernel-hybrid`), stated as the ns it
/// adds over `kernel-lazy` (the same object and entry points, no per-op accounting) with an
/// distribution-free (sign-test) 95 % interval over freshly loaded blocks; a cell wider than the kernel's
/// noise floor prints `unresolved`. The `null` rows are hybrid − percpu-ref, whose per-op
/// programs are the same code: what the method reads when there is nothing to read. `kernel`'s
/// own ns/op (the landed design) is the % denominator. It opens every report with kernel rows.
public enum KernelStrategiesSection {
    public static let title = "strategies in the kernel: ns added over kernel-lazy (same object, no accounting)"

    public static func cells(_ rows: [ResultRow]) -> [KernelTableCell] {
        KernelTableCell.cells(rows, interleavedPhase: .interleaved)
    }

    /// The table (≤ 75 columns), one per object size; empty without kernel policy rows.
    public static func tables(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let all = cells(rows)
        let sizes = Set(all.map(\.size)).sorted()
        return sizes.map { size in
            let mine = all.filter { $0.size == size }
            let units = Set(mine.filter(\.interleaved).map(\.units)).sorted()
            let how = units.isEmpty ? "; units: repetitions"
                : "; units: \(units.map(String.init).joined(separator: "/")) blocks, each a fresh load, subjects time-sliced"
            let regime = RegimeSplit.summary(rows, size: size).map { "; \($0)" } ?? ""
            return ReportSections.Table(title: title + (sizes.count > 1 ? ", \(size) B" : "") + how + regime,
                                        header: ["policy", "workload", "thr", "kernel", "+ns [95 % CI]", "%kern", "model"],
                                        rows: mine.map(tableRow))
        }
    }

    static func tableRow(_ c: KernelTableCell) -> [String] {
        [name(c.subject), label(c.workload, c.op), "\(c.threads)", c.kernelNs.map { String(format: "%.0f", $0) } ?? "—",
         addedText(c), c.resolved ? (c.shareOfKernel.map(percent) ?? "") : "", c.modelAdded.map(compact) ?? ""]
    }

    /// `+1.5 [+0.9,+2.3]`, or `unresolved (±X)` / `unresolved (n=5)`: never a number the
    /// interval cannot carry.
    static func addedText(_ c: KernelTableCell) -> String {
        switch c.added {
        case .tooFewUnits(_, let n): return "unresolved (n=\(n))"
        case .interval(let a):
            guard c.resolved else { return "unresolved (±\(magnitude((a.high - a.low) / 2)))" }
            return intervalText(c.added)
        }
    }

    /// "+2.4 [+2.1,+2.5]", or "unresolved (n=5)" where no finite interval exists.
    static func intervalText(_ r: MedianInterval.Result) -> String {
        switch r {
        case .tooFewUnits(_, let n): "unresolved (n=\(n))"
        case .interval(let a): "\(compact(a.added)) [\(compact(a.low)),\(compact(a.high))]"
        }
    }

    /// The model's added ns inside the kernel's interval, over resolved cells only: how well
    /// the model predicts the kernel where the kernel can tell. Nil without such cells.
    public static func fidelity(_ rows: [ResultRow]) -> String? {
        let both = cells(rows).filter { $0.modelAdded != nil && $0.resolved && !$0.isNull }
        guard !both.isEmpty else { return nil }
        let inside = both.filter { c in c.interval.map { $0.low <= c.modelAdded! && c.modelAdded! <= $0.high } ?? false }.count
        let error = Effect.median(both.map { abs($0.modelAdded! - $0.added.estimate) })
        return "Model fidelity: in \(inside) of \(both.count) resolved cells the model's added ns lies inside the kernel's interval; "
            + "median |model − kernel| \(ResultCell.format(error)) ns."
    }

    /// The findings in the kernel's terms: per policy its resolved cells; how many cells are
    /// unresolved; the null's line (how often identical code reads as a difference); fidelity.
    public static func findings(_ rows: [ResultRow]) -> [String] {
        let all = cells(rows)
        guard !all.isEmpty else { return [] }
        var out: [String] = []
        for p in KernelTableCell.policies {
            let mine = all.filter { $0.subject == p.kernel }
            let resolved = mine.filter(\.resolved)
            guard !mine.isEmpty else { continue }
            let parts = resolved.map { c -> String in
                let share = c.shareOfKernel.map { " (\(percent($0)) of kernel's \(String(format: "%.0f", c.kernelNs!)) ns)" } ?? ""
                return "\(label(c.workload, c.op)) \(c.threads) thr \(addedText(c))\(share)"
            }
            let rest = mine.count - resolved.count
            let tail = rest == 0 ? "" : (parts.isEmpty ? "" : "; ") + "\(rest) of \(mine.count) cells unresolved"
            out.append("\(p.kernel) adds over the control: " + (parts.isEmpty ? "" : parts.joined(separator: "; ")) + tail + ".")
        }
        if let line = nullLine(all) { out.append(line) }
        if let f = fidelity(rows) { out.append(f) }
        return out
    }

    /// hybrid − percpu-ref: identical per-op programs, so every interval should hold zero; at
    /// 95 % about 1 in 20 will not by chance. More than that says the intervals are too narrow.
    static func nullLine(_ all: [KernelTableCell]) -> String? {
        let null = all.filter(\.isNull)
        guard !null.isEmpty else { return nil }
        let finite = null.compactMap(\.interval)
        let excluding = finite.filter(\.excludesZero).count
        let widths = finite.map { ($0.high - $0.low) / 2 }
        let width = widths.isEmpty ? "" : ", median ±\(magnitude(Effect.median(widths))) ns"
        return "Null (hybrid − percpu-ref, the same per-op code): \(excluding) of \(null.count) intervals exclude zero "
            + "(about \(String(format: "%.1f", 0.05 * Double(null.count))) by chance at 95 %)\(width)."
    }

    static func name(_ subject: String) -> String {
        subject == KernelSubjects.kernel("percpu-ref") ? "pcpu-ref" : KernelSubjects.short(subject)
    }

    static func label(_ workload: String, _ op: Op) -> String {
        switch (workload, op) {
        case ("pair", .acct): "acct"
        case ("batch", .alloc): "b.alloc"
        case ("batch", .free): "b.free"
        case (_, .killFree): "k.free"
        case (_, .mapFree): "m.free"
        case ("kptr-xchg", _): "xchg"
        default: workload
        }
    }

    /// Signed, one decimal below 10, whole above (the kernel rows' noise is ns, not tenths).
    static func compact(_ v: Double) -> String { (v >= 0 ? "+" : "−") + magnitude(v) }
    static func magnitude(_ v: Double) -> String { abs(v) >= 10 ? String(format: "%.0f", abs(v)) : String(format: "%.1f", abs(v)) }
    static func percent(_ v: Double) -> String { (v >= 0 ? "+" : "−") + String(format: "%.1f%%", abs(v)) }
}
