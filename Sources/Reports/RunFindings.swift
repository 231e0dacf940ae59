/// "These results show:" — at most about ten claims, most important first, each an effect with
/// its 95 % bootstrap interval over repetitions (`Effect`). A difference is stated only when the
/// interval excludes the ±3 % noise band, otherwise the claim says "no significant difference".
/// Only the lifetime strategies get kill, post-kill and drain claims: the reference rows (system
/// allocators, freelist, noop, the kernel subjects) have no owner to kill.
public enum RunFindings {
    /// The policies compared with `global`, the design that landed, in the thread's order.
    public static let policies = ["atomic", "percpu-ref", "lazy", "kmem-cache", "hybrid"]
    /// Workloads where kmem-cache and lazy run the same object size (larson draws random sizes,
    /// which the fixed-size path cannot serve, so its rows are not the same workload).
    public static let sameSizeWorkloads = ["pair", "batch", "remote", "kptr-xchg"]

    public static func compute(rows: [ResultRow], safety: [SafetyVerdict] = []) -> [String] {
        let samples = Samples(rows.filter { $0.phase != "scenario" })
        var out: [String] = []
        guard let size = samples.sizes.first else { return safety.isEmpty ? [] : [safetyLine(safety)] }
        let t1 = samples.threads.first ?? 1, tN = samples.threads.last ?? 1
        let sizeNote = samples.sizes.count > 1 ? ", \(size) B" : ""
        let present = policies.filter { samples.has($0, "pair", "live", "pair", t1, size) }

        // 1. Live cost of each policy over global, at one thread (the most threads follow later).
        func live(_ t: Int) {
            let effects = present.compactMap { s in
                samples.effect(s, "global", "pair", "live", "pair", t, size).map { (s, $0) }
            }
            if !effects.isEmpty {
                out.append("Live pair ns/op over global (\(t) thr\(sizeNote)): " + listing(effects) + ".")
            }
        }
        live(t1)
        // 2. After the kill: allocation through surviving references, then the frees (drain).
        var after: [String] = []
        let postKill = present.compactMap { s in
            samples.effect(s, "global", "pair", "post-kill", "pair", t1, size).map { (s, $0) }
        }
        if !postKill.isEmpty { after.append(listing(postKill)) }
        let cannot = present.filter { samples.missing($0, "pair", "post-kill", "pair", t1, size) }
        if !cannot.isEmpty { after.append("\(cannot.joined(separator: ", ")) cannot allocate (no allocator map left)") }
        if !after.isEmpty { out.append("After the kill, pair ns/op over global (\(t1) thr\(sizeNote)): " + after.joined(separator: "; ") + ".") }
        // 3. percpu-ref's downgrade to atomic mode ("which will kill performance").
        var downgrade: [String] = []
        for t in Set([t1, tN]).sorted() {
            guard let e = samples.effect("percpu-ref", "percpu-ref", "pair", "post-kill", "pair", t, size,
                                         baselinePhase: "live") else { continue }
            var text = "\(describe(e)) at \(t) thr"
            if let a = samples.effect("percpu-ref", "atomic", "pair", "post-kill", "pair", t, size, baselinePhase: "live") {
                text += " (vs atomic live: \(describe(a)))"
            }
            downgrade.append(text)
        }
        if !downgrade.isEmpty {
            out.append("percpu-ref after the kill (\"will kill performance\"): pair ns/op over its live cost "
                + downgrade.joined(separator: ", ") + ".")
        }
        // 4. The unload walk against percpu-ref's kill.
        if let walk = WalkCost(rows: rows) {
            out.append(walk.finding(kill: samples.values("percpu-ref", "pair", "kill", "kill", t1, size, metric: "latency_us"),
                                    grace: samples.values("percpu-ref", "pair", "kill", "grace", t1, size, metric: "latency_us")))
        }
        // 5. Safety in one line; then the live cost at the most threads.
        if !safety.isEmpty { out.append(safetyLine(safety)) }
        if tN > t1 { live(tN) }
        // 6. atomic with threads: aggregate throughput at the most threads against one.
        if tN > t1, let a = samples.effect("atomic", "atomic", "pair", "live", "pair", tN, size, metric: "mops", baselineThreads: t1) {
            var text = "atomic with threads: \(tN) thr give \(factor(a)) [\(number(a.low)), \(number(a.high))] the \(t1)-thr pair throughput"
            if let g = samples.effect("global", "global", "pair", "live", "pair", tN, size, metric: "mops", baselineThreads: t1) {
                text += " (global \(factor(g)), ideal \(tN / t1)×)"
            }
            // The mechanism is named only when the data show the drop it explains.
            out.append(text + (a.isSignificant && a.ratio < 1 ? ": the shared counter's line moves between CPUs on every op." : a.significanceNote + "."))
        }
        // 7. Frees after the kill.
        let drain = present.compactMap { s in
            samples.effect(s, "global", "pair", "drain", "drain", t1, size).map { (s, $0) }
        }
        if !drain.isEmpty {
            out.append("Frees after the kill (drain ns/object over global, \(t1) thr\(sizeNote)): " + listing(drain) + ".")
        }
        // 8. The v5 fixed-size claim, on same-size workloads only.
        if let claim = fixedSizeClaim(samples, size: size) { out.append(claim) }
        // 9. The model against the running kernel.
        if let kernel = modelAgainstKernel(samples, t1, size) { out.append(kernel) }
        out += HostEpisodes(rows: rows).findings
        return out
    }

    // MARK: Claims

    static func fixedSizeClaim(_ samples: Samples, size: Int) -> String? {
        var same: [(String, Effect)] = []
        for w in sameSizeWorkloads {
            for t in samples.threads {
                for op in ["pair", "alloc", "free"] where samples.has("kmem-cache", w, "live", op, t, size) {
                    if let e = samples.effect("kmem-cache", "lazy", w, "live", op, t, size) {
                        same.append(("\(w)\(op == "pair" ? "" : " " + op) \(t)t", e))
                    }
                }
            }
        }
        guard !same.isEmpty else { return nil }
        let faster = same.filter { $0.1.isSignificant && $0.1.ratio < 1 }
        let slower = same.filter { $0.1.isSignificant && $0.1.ratio > 1 }
        var text = "v5 claim (kmem_cache brings no benefit over kmalloc), kmem-cache vs lazy ns/op on \(same.count) same-size case\(same.count == 1 ? "" : "s"): "
        if faster.isEmpty && slower.isEmpty {
            text += "no significant difference in any (consistent with the claim)"
        } else {
            text += "no significant difference in \(same.count - faster.count - slower.count)"
            if !faster.isEmpty { text += "; faster in " + faster.map { "\($0.0) \(describe($0.1))" }.joined(separator: ", ") }
            if !slower.isEmpty { text += "; slower in " + slower.map { "\($0.0) \(describe($0.1))" }.joined(separator: ", ") }
        }
        return text + ". The model's two paths share the per-CPU cache code and differ only in the size-class "
            + "lookup and unit size, so this tests the fast path, not SLUB's kmem_cache against kmalloc slabs."
    }

    static func modelAgainstKernel(_ samples: Samples, _ t: Int, _ size: Int) -> String? {
        var parts: [String] = []
        if let e = samples.effect("kernel", "global", "pair", "live", "pair", t, size), let k = samples.median("kernel", "pair", "live", "pair", t, size) {
            var text = "bpf_obj_new+drop \(ResultCell.format(k)) ns, \(factor(e)) the model's global"
            if let h = samples.median("kernel-harness", "pair", "live", "pair", t, size) {
                text += " (\(ResultCell.format(max(k - h, 0))) ns without the \(ResultCell.format(h)) ns harness)"
            }
            parts.append(text)
        }
        if let e = samples.effect("kernel-htab", "global", "pair", "live", "pair", t, size), let k = samples.median("kernel-htab", "pair", "live", "pair", t, size) {
            parts.append("htab update+delete \(ResultCell.format(k)) ns (\(factor(e)))")
        }
        guard !parts.isEmpty else { return nil }
        return "Model vs kernel (pair, \(t) thr): " + parts.joined(separator: "; ")
            + "; the kernel frees through bpf_mem_free_rcu (reuse after a grace period), the model reuses at once."
    }

    /// Every verdict in one line: the safe strategies, then each hazard with its scenarios.
    static func safetyLine(_ verdicts: [SafetyVerdict]) -> String {
        let scenarios = SafetySections.distinct(verdicts.map(\.scenario))
        let strategies = SafetySections.distinct(verdicts.map(\.strategy))
        let rules = SafetySections.distinct(verdicts.map(\.rule))
        var safe: [String] = [], bad: [String] = []
        for s in strategies {
            let faults = verdicts.filter { $0.strategy == s && $0.kind != .safe }
            if faults.isEmpty { safe.append(s); continue }
            var byKind: [String] = []
            for kind in SafetyVerdict.Kind.allCases where kind != .safe {
                let cases = faults.filter { $0.kind == kind }.map { v -> String in
                    let n = (scenarios.firstIndex(of: v.scenario) ?? 0) + 1
                    let rule = rules.count > 1 ? " \(SafetySections.ruleShort(v.rule))" : ""  // issue 20: two reuse rules
                    return v.iterations > 1 ? "#\(n)\(rule) (\(v.faultyIterations)/\(v.iterations))" : "#\(n)\(rule)"
                }
                if !cases.isEmpty { byKind.append("\(kind.short) \(cases.joined(separator: ", "))") }
            }
            bad.append("\(s) \(byKind.joined(separator: ", "))")
        }
        let unexpected = verdicts.filter { !$0.matchesExpectation }
        let match = unexpected.isEmpty ? "all match the expectation table"
            : "\(unexpected.count) differ from the expectation table: " + unexpected.map { "\($0.strategy) \($0.scenario)" }.joined(separator: ", ")
        let legend = scenarios.enumerated().map { "#\($0.offset + 1) \($0.element)" }.joined(separator: ", ")
        return "Safety (\(verdicts.count) verdicts, \(match)): safe \(safe.isEmpty ? "none" : safe.joined(separator: ", "))"
            + (bad.isEmpty ? "" : "; " + bad.joined(separator: "; ")) + " (\(legend))."
    }

    // MARK: Text

    /// "atomic 6.08× [5.9, 6.3], percpu-ref +27 % [+25, +29]; no significant difference: lazy (+1 % [-2, +4])".
    static func listing(_ effects: [(String, Effect)]) -> String {
        let claimed = effects.filter { $0.1.isSignificant }.map { "\($0.0) \(describe($0.1))" }
        let none = effects.filter { !$0.1.isSignificant }.map { "\($0.0) (\(describe($0.1)))" }
        var parts = claimed
        if !none.isEmpty { parts.append("no significant difference: " + none.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }

    /// A ratio as a change in percent below 2×, as a factor from there, with its interval.
    static func describe(_ e: Effect) -> String {
        if e.ratio >= 2 || e.ratio < 0.5 { return "\(factor(e)) [\(number(e.low)), \(number(e.high))]" }
        return "\(percent(e.ratio)) [\(percent(e.low, unit: false)), \(percent(e.high, unit: false))]"
    }

    static func factor(_ e: Effect) -> String { "\(number(e.ratio))×" }

    static func number(_ v: Double) -> String {
        v >= 100 ? String(Int(v.rounded())) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)
    }

    /// Signed change; the interval's bounds carry no unit ("+28% [+24, +32]") so a wrapped
    /// line never separates a number from its unit.
    static func percent(_ r: Double, unit: Bool = true) -> String {
        let p = Int(((r - 1) * 100).rounded())
        return (p > 0 ? "+\(p)" : p < 0 ? "-\(-p)" : "0") + (unit ? "%" : "")
    }
}

extension Effect {
    /// Appended to a claim whose factor is not outside the noise band.
    var significanceNote: String { isSignificant ? "" : " (no significant difference)" }
}

/// Repetition values of the run's cases, by repetition, for the findings' bootstraps.
struct Samples {
    struct Key: Hashable {
        let strategy, workload, phase, op: String
        let threads, size: Int
        let metric: String
    }
    private var values: [Key: [Int: Double]] = [:]
    private var missingKeys: Set<Key> = []
    let threads: [Int]
    let sizes: [Int]

    init(_ rows: [ResultRow]) {
        var threads = Set<Int>(), sizes = Set<Int>()
        for r in rows where r.phase != "calibration" {
            let k = Key(strategy: r.strategy, workload: r.workload, phase: r.phase, op: r.op, threads: r.threads, size: r.size, metric: r.metric)
            if let v = r.value, v.isFinite { values[k, default: [:]][r.repetition] = v } else { missingKeys.insert(k) }
            threads.insert(r.threads)
            sizes.insert(r.size)
        }
        self.threads = threads.sorted()
        self.sizes = sizes.sorted()
    }

    func series(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int, metric: String = "ns_per_op") -> [Int: Double] {
        values[Key(strategy: s, workload: w, phase: phase, op: op, threads: t, size: size, metric: metric)] ?? [:]
    }

    func values(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int, metric: String = "ns_per_op") -> [Double] {
        series(s, w, phase, op, t, size, metric: metric).sorted { $0.key < $1.key }.map(\.value)
    }

    func has(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int) -> Bool {
        !series(s, w, phase, op, t, size).isEmpty
    }

    /// Every repetition of the case was `n/a`.
    func missing(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int) -> Bool {
        !has(s, w, phase, op, t, size)
            && missingKeys.contains(Key(strategy: s, workload: w, phase: phase, op: op, threads: t, size: size, metric: "ns_per_op"))
    }

    func median(_ s: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int) -> Double? {
        let v = values(s, w, phase, op, t, size)
        return v.isEmpty ? nil : Effect.median(v)
    }

    /// `subject / baseline` on the same workload and op; the baseline may come from another
    /// phase or thread count. Paired by repetition when both ran the same rounds.
    func effect(_ subject: String, _ baseline: String, _ w: String, _ phase: String, _ op: String, _ t: Int, _ size: Int,
                metric: String = "ns_per_op", baselinePhase: String? = nil, baselineThreads: Int? = nil) -> Effect? {
        let a = series(subject, w, phase, op, t, size, metric: metric)
        let b = series(baseline, w, baselinePhase ?? phase, op, baselineThreads ?? t, size, metric: metric)
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let paired = Set(a.keys) == Set(b.keys)
        let keysA = a.keys.sorted(), keysB = paired ? keysA : b.keys.sorted()
        // A seed from the case, so each claim's resampling is fixed but not shared by all.
        var seed: UInt64 = 1469598103934665603
        for byte in "\(subject)/\(baseline)/\(w)/\(phase)/\(op)/\(t)/\(metric)".utf8 { seed = (seed ^ UInt64(byte)) &* 1099511628211 }
        return Effect.ratioOfMedians(keysA.map { a[$0]! }, keysB.map { b[$0]! }, paired: paired, seed: seed)
    }
}
