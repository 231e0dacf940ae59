import Results
import Statistics
/// "These results show:" — at most about ten claims, most important first, each an effect with
/// its 95 % bootstrap interval over repetitions (`Effect`), stated in added ns over `global` (the
/// design that landed) and, where kernel rows exist, as a share of the kernel's own cost. A
/// difference is stated only when the interval excludes the ±3 % noise band; otherwise the claim
/// says what the interval rules out ("no difference beyond ±X %").
/// Only the lifetime strategies get kill, post-kill and drain claims: the reference rows (system
/// allocators, freelist, noop, the kernel subjects) have no owner to kill.
public enum RunFindings {
    /// The policies compared with `global`, the design that landed, in the thread's order.
    public static let policies = ["atomic", "percpu-ref", "lazy", "kmem-cache", "hybrid"]

    /// What every claim reads: the samples, the first size, the fewest and most threads, the
    /// policies present.
    struct Context {
        let samples: Samples
        let size: Int
        let t1: Int
        let tN: Int
        let sizeNote: String
        let present: [String]
    }

    /// Every claim, kernel first then the model's (`RunClaims.all`).
    public static func compute(rows: [ResultRow], safety: [SafetyVerdict] = []) -> [String] {
        claims(rows: rows, safety: safety).all
    }

    /// The claims of a run, at most `RunClaims.limit`: the kernel's (its table's findings, the
    /// one-off costs, safety, ownership, the projection) and then the model's, each model claim
    /// carrying what the same run's kernel rows say about it. `ownership` are
    /// `OwnershipSection`'s findings.
    public static func claims(rows: [ResultRow], safety: [SafetyVerdict] = [], ownership: [String] = [],
                              kernelSafety: [KernelSafetyCheck] = []) -> RunClaims {
        typealias P = RunClaims.Priority
        let safetyClaim = safety.isEmpty && kernelSafety.isEmpty ? nil : safetyLine(safety, kernel: kernelSafety)
        let samples = Samples(rows.filter { $0.phase != .scenario && $0.strategy != "host" && $0.phase != Phase.own })
        let host = HostRows(rows)
        guard let size = samples.sizes.first else {
            return RunClaims(candidates: (safetyClaim.map { [.init($0, .kernel, priority: P.safety)] } ?? [])
                + ownership.map { .init($0, .kernel, priority: P.ownership) })
        }
        let t1 = samples.threads.first ?? 1, tN = samples.threads.last ?? 1
        let c = Context(samples: samples, size: size, t1: t1, tN: tN, sizeNote: samples.sizes.count > 1 ? ", \(size) B" : "",
                        present: policies.filter { samples.has($0, .pair, .live, .pair, t1, size) })
        // The kernel's: each policy's accounting run inside BPF programs around the real allocator.
        var out: [RunClaims.Candidate] = NativeRefsSection.findings(rows).map { .init($0, .kernel, priority: P.native) }
        out += KernelStrategiesSection.findings(rows.filter { $0.phase != .scenario }).map { .init($0, .kernel, priority: P.kernelTable) }
        let oneOff = OneOffCosts(samples: samples, rows: rows, t: t1, size: size, kernelGraceMicroseconds: host.kernelGraceMicroseconds)
        if let f = oneOff.finding { out.append(.init(f, .kernel, priority: P.oneOff)) }
        if let safetyClaim { out.append(.init(safetyClaim, .kernel, priority: P.safety)) }
        out += ownership.map { .init($0, .kernel, priority: P.ownership) }
        // The kernel's own killed percpu_ref is the line to project where it was measured.
        if let p = NativeRefsSection.projection(rows) ?? contentionClaim(c, host) { out.append(.init(p, .kernel, priority: P.projection)) }
        out += HostEpisodes(rows: rows).findings.map { .init($0, .kernel, priority: P.hostEpisodes) }
        // The model's: live cost (with threads), then after the kill, each one bullet.
        if let live = merged([liveClaim(c, t1), tN > t1 ? liveClaim(c, tN) : nil, threadsClaim(c), kernelSentence(c),
                              modelAgainstKernel(samples, t1, size)]) {
            out.append(.init(live, .model, priority: P.modelLive))
        }
        if let after = merged(afterKillClaims(c) + [mapFreeClaim(c), downgradeClaim(c)]) {
            out.append(.init(after, .model, priority: P.modelAfterKill))
        }
        if c.present.contains("kmem-cache") {
            out.append(.init("Not testable here: the v5 claim (kmem_cache brings no benefit over kmalloc). The model's kmem-cache "
                + "and lazy share the per-CPU cache code, and no BPF path reaches a raw kmem_cache (a no-prealloc hash "
                + "map's bpf_mem_cache also pays hashing, the bucket lock and an element count); no claim is made either way.",
                .model, priority: P.notTestable))
        }
        return RunClaims(candidates: out)
    }

    /// Several sentences as one bullet; nil when there are none.
    static func merged(_ sentences: [String?]) -> String? {
        let s = sentences.compactMap { $0 }
        return s.isEmpty ? nil : s.joined(separator: " ")
    }

    /// What the kernel's rows say about the model's live claims: every claimed effect at each
    /// thread count, and atomic's scaling with threads.
    static func kernelSentence(_ c: Context) -> String? {
        let k = KernelCounterpart(samples: c.samples, size: c.size)
        var claimed: [(policy: String, threads: Int, model: Effect, base: Double)] = []
        for t in Set([c.t1, c.tN]).sorted() {
            guard let base = c.samples.median("global", .pair, .live, .pair, t, c.size) else { continue }
            for s in c.present {
                if let e = c.samples.effect(s, "global", .pair, .live, .pair, t, c.size), e.isSignificant { claimed.append((s, t, e, base)) }
            }
        }
        var parts = [k.liveSentence(claimed)]
        if c.tN > c.t1, let a = c.samples.effect("atomic", "atomic", .pair, .live, .pair, c.tN, c.size, metric: .mops, baselineThreads: c.t1) {
            parts.append(k.scalingSentence(model: a, c.t1, c.tN))
        }
        return merged(parts)
    }

    /// 1. Live cost of each policy over global, in added ns (and as a share of the kernel's own
    ///    pair when the kernel rows exist): the thread's question in the kernel's terms.
    static func liveClaim(_ c: Context, _ t: Int) -> String? {
        let samples = c.samples, size = c.size
        // A strategy whose repetitions fall in two modes is compared by the draw, not by its
        // code: it is named with its modes instead of an effect.
        let modal = c.present.compactMap { s in ModeSplit(samples.values(s, .pair, .live, .pair, t, size)).map { (s, $0) } }
        let effects = c.present.filter { s in !modal.contains { $0.0 == s } }.compactMap { s in
            samples.effect(s, "global", .pair, .live, .pair, t, size).map { (s, $0) }
        }
        guard !effects.isEmpty || !modal.isEmpty, let base = samples.median("global", .pair, .live, .pair, t, size) else { return nil }
        let lead = t == c.t1 ? "Live pair, added ns/op over global (" : "At ("
        if let split = ModeSplit(samples.values("global", .pair, .live, .pair, t, size)) {
            return lead + "\(t) thr\(c.sizeNote)): global's repetitions fall in two modes, \(modes(split)), so no added ns is claimed against it."
        }
        var text = lead + "\(t) thr\(c.sizeNote), global \(ResultCell.format(base)) ns): " + addedListing(effects, base: base)
        if !modal.isEmpty {
            text += (effects.isEmpty ? "" : "; ") + "not compared, repetitions in two modes: " + modal.map { "\($0.0) \(modes($0.1))" }.joined(separator: ", ")
        }
        // Without kernel policy rows, the model's added cost scaled to the kernel's pair at one
        // thread; with them the kernel's own figure is given (a contended model op beside the
        // kernel's 440 ns pair would put a saturated cost beside an unsaturated op).
        let kernelPolicies = policies.contains { samples.has(KernelSubjects.kernel($0), .pair, .live, .pair, t, size) }
        if t == c.t1, !kernelPolicies, let k = samples.median("kernel", .pair, .live, .pair, t, size),
           let (s, e) = effects.filter({ $0.1.isSignificant }).max(by: { $0.1.ratio < $1.1.ratio }) {
            text += "; the kernel's bpf_obj_new+drop pair costs \(ResultCell.format(k)) ns, so \(s)'s added cost would be "
                + "\(percentText((e.ratio - 1) * base / k)) of it"
        }
        return text + "."
    }

    /// 2. After the kill nothing is allocated; objects that outlived the allocator map are freed
    ///    by every worker at once (each paying the put), then by the map's free. Ratios on
    ///    `over_control`, stated in ns of global's median free.
    static func afterKillClaims(_ c: Context) -> [String] {
        Set([c.t1, c.tN]).sorted().compactMap { t in
            let effects = c.present.compactMap { s in
                c.samples.freeEffect(s, "global", .pair, .postKill, .free, t, c.size).map { (s, $0) }
            }
            guard !effects.isEmpty, let base = c.samples.median("global", .pair, .postKill, .free, t, c.size) else { return nil }
            let lead = t == c.t1 ? "After the kill (no allocation is possible), concurrent frees by" : "By"
            return "\(lead) \(t) worker\(t == 1 ? "" : "s"), "
                + "added ns/free over global (\(ResultCell.format(base)) ns): " + addedListing(effects, base: base) + "."
        }
    }

    /// 3. percpu-ref's downgrade ("which will kill performance"): what its put adds to a free
    ///    over global after the kill (every put an atomic RMW) against what it adds while live.
    ///    Both against global on the same path, so the map exchange of the after-kill frees
    ///    (absent from live frees) cancels out.
    static func downgradeClaim(_ c: Context) -> String? {
        let samples = c.samples, size = c.size
        var downgrade: [String] = []
        for t in Set([c.t1, c.tN]).sorted() {
            guard let post = samples.freeEffect("percpu-ref", "global", .pair, .postKill, .free, t, size),
                  let postBase = samples.median("global", .pair, .postKill, .free, t, size) else { continue }
            var text = "\(signedNs(post.ratio, postBase)) ns [\(signedNs(post.low, postBase)), "
                + "\(signedNs(post.high, postBase))] per free at \(t) thr"
            if let live = samples.effect("percpu-ref", "global", .batch, .live, .free, t, size),
               let liveBase = samples.median("global", .batch, .live, .free, t, size) {
                text += " (live: \(signedNs(live.ratio, liveBase)) ns [\(signedNs(live.low, liveBase)), \(signedNs(live.high, liveBase))])"
            }
            if let a = samples.freeEffect("atomic", "global", .pair, .postKill, .free, t, size) {
                text += ", atomic's \(signedNs(a.ratio, postBase)) ns"
            }
            downgrade.append(text)
        }
        guard !downgrade.isEmpty else { return nil }
        return "percpu-ref after the kill (\"will kill performance\"): its put, now an atomic RMW, adds over global's "
            + "free " + downgrade.joined(separator: "; ") + "."
    }

    /// 6. atomic with threads: aggregate throughput at the most threads against one.
    static func threadsClaim(_ c: Context) -> String? {
        let (samples, size, t1, tN) = (c.samples, c.size, c.t1, c.tN)
        guard tN > t1, let a = samples.effect("atomic", "atomic", .pair, .live, .pair, tN, size, metric: .mops, baselineThreads: t1)
        else { return nil }
        var text = "atomic with threads: \(tN) thr give \(factor(a)) [\(number(a.low)), \(number(a.high))] the \(t1)-thr pair throughput"
        if let g = samples.effect("global", "global", .pair, .live, .pair, tN, size, metric: .mops, baselineThreads: t1) {
            text += " (global \(factor(g)), ideal \(tN / t1)×)"
        }
        // The mechanism is named only when the data show the drop it explains.
        return text + (a.isSignificant && a.ratio < 1 ? ": the shared counter's line moves between CPUs on every op." : a.significanceNote + ".")
    }

    /// 7. The map's free (one thread, no contention).
    static func mapFreeClaim(_ c: Context) -> String? {
        let drain = c.present.compactMap { s in
            c.samples.freeEffect(s, "global", .pair, .drain, .drain, c.t1, c.size).map { (s, $0) }
        }
        guard !drain.isEmpty, let base = c.samples.median("global", .pair, .drain, .drain, c.t1, c.size) else { return nil }
        return "The map's free after the kill (one thread\(c.sizeNote)), added ns/free over global "
            + "(\(ResultCell.format(base)) ns): " + addedListing(drain, base: base) + "."
    }

    /// 8. Contention beyond two CPUs, projected for the op that touches the line: kernel-atomic's
    ///    pair (its count touched after bpf_obj_new and after bpf_obj_drop), else the kernel's
    ///    own pair with such a count, else the model's atomic pair (labelled).
    static func contentionClaim(_ c: Context, _ host: HostRows) -> String? {
        guard let rmw2 = host.rmwNanoseconds(threads: 2), let p = ContentionProjection(contendedRMW2Threads: rmw2) else { return nil }
        let s = c.samples
        let interleaved = s.values("kernel-atomic", .pair, Phase.interleaved, .pair, c.t1, c.size)
        let op: ContentionProjection.Op
        if let k = interleaved.isEmpty ? s.median("kernel-atomic", .pair, .live, .pair, c.t1, c.size) : Effect.median(interleaved) {
            op = .init(name: "kernel-atomic", pairNs: k, touchesPerPair: 2)
        } else if let k = s.median("kernel", .pair, .live, .pair, c.t1, c.size) {
            op = .init(name: "a count in the kernel's new+drop pair", pairNs: k, touchesPerPair: 2)
        } else if let m = s.median("atomic", .pair, .live, .pair, c.t1, c.size) {
            op = .init(name: "the model's atomic", pairNs: m, touchesPerPair: 2)
        } else { return nil }
        var model: (pairNs: Double, atomicAddedNs: Double?, threads: Int)?
        if op.name != "the model's atomic", let g = s.median("global", .pair, .live, .pair, c.t1, c.size) {
            var added: Double?
            if c.tN >= 2, let a = s.median("atomic", .pair, .live, .pair, c.tN, c.size),
               let gN = s.median("global", .pair, .live, .pair, c.tN, c.size) { added = a - gN }
            model = (g, added, c.tN)
        }
        return p.finding(op: op, model: model)
    }

    // MARK: Claims

    /// 9. The model against the running kernel.
    static func modelAgainstKernel(_ samples: Samples, _ t: Int, _ size: Int) -> String? {
        var parts: [String] = []
        if let e = samples.effect("kernel", "global", .pair, .live, .pair, t, size), let k = samples.median("kernel", .pair, .live, .pair, t, size) {
            var text = "bpf_obj_new+drop \(ResultCell.format(k)) ns, \(factor(e)) the model's global"
            if let h = samples.median("kernel-harness", .pair, .live, .pair, t, size) {
                text += " (\(ResultCell.format(max(k - h, 0))) ns without the \(ResultCell.format(h)) ns harness)"
            }
            parts.append(text)
        }
        if let e = samples.effect("kernel-htab", "global", .pair, .live, .pair, t, size), let k = samples.median("kernel-htab", .pair, .live, .pair, t, size) {
            parts.append("htab update+delete \(ResultCell.format(k)) ns (\(factor(e)))")
        }
        guard !parts.isEmpty else { return nil }
        var text = "Model vs kernel (pair, \(t) thr): " + parts.joined(separator: "; ")
        if let a = samples.median("kernel", .batch, .live, .alloc, t, size), let f = samples.median("kernel", .batch, .live, .free, t, size) {
            text += ". Compare pairs, not alloc and free apart: bpf_obj_drop frees through bpf_mem_free_rcu, which moves "
                + "the free's cost onto the next allocation's refill (kernel batch alloc \(ResultCell.format(a)) ns, free "
                + "\(ResultCell.format(f)) ns)"
        } else {
            text += "; the kernel frees through bpf_mem_free_rcu (reuse after a grace period), the model reuses at once"
        }
        return text + "."
    }

    /// Every verdict in one line: the safe strategies, then each hazard with its scenarios.
    static func safetyLine(_ verdicts: [SafetyVerdict], kernel: [KernelSafetyCheck] = []) -> String {
        let model = verdicts.isEmpty ? "" : modelSafetyLine(verdicts)
        let sequences = kernel.filter { $0.scenario != KernelSafetyCheck.refusedShape }
        guard !sequences.isEmpty else { return model }
        let clean = sequences.filter(\.clean).count
        let refused = kernel.contains { $0.scenario == KernelSafetyCheck.refusedShape && !$0.legal }
        let k = "In the kernel (bpf_global_ma) \(clean) of \(sequences.count) sequences are legal and run clean, every object accounted"
            + (refused ? "; a run exiting with an object held (the scripts' first #4/#7) is refused by the verifier" : "")
            + (verdicts.contains { $0.kind != .safe } ? "; the model's faults need the allocator map's kill, a step the kernel does not have." : ".")
        return model.isEmpty ? k : model + " " + k
    }

    static func modelSafetyLine(_ verdicts: [SafetyVerdict]) -> String {
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

    /// "atomic 6.08× [5.9, 6.3], percpu-ref +27% [+25, +29], no difference beyond ±4%: lazy [-2, +4]".
    /// A difference that is not claimed says what the interval rules out: "no difference beyond
    /// ±X %" with X the interval's farthest end, so [−14, 0] and [−1, +1] read differently.
    static func listing(_ effects: [(String, Effect)]) -> String {
        var parts = effects.filter { $0.1.isSignificant }.map { "\($0.0) \(describe($0.1))" }
        let none = effects.filter { !$0.1.isSignificant }
        let groups = Dictionary(grouping: none) { $0.1.resolvablePercent }
        for bound in groups.keys.sorted() {
            parts.append("no difference beyond ±\(bound)%: " + groups[bound]!.map {
                "\($0.0) [\(percent($0.1.low, unit: false)), \(percent($0.1.high, unit: false))]"
            }.joined(separator: ", "))
        }
        return parts.joined(separator: ", ")
    }

    /// As `listing`, in added ns/op over the baseline's median (the interval scaled the same
    /// way), with the relative change beside: "atomic +2.0 ns [+1.9, +2.2] (+81%)".
    static func addedListing(_ effects: [(String, Effect)], base: Double) -> String {
        func ns(_ r: Double) -> String { signedNs(r, base) }
        var parts = effects.filter { $0.1.isSignificant }.map { s, e in
            "\(s) \(ns(e.ratio)) ns [\(ns(e.low)), \(ns(e.high))] (\(e.ratio >= 2 ? factor(e) : percent(e.ratio)))"
        }
        let none = effects.filter { !$0.1.isSignificant }
        let groups = Dictionary(grouping: none) { $0.1.resolvablePercent }
        for bound in groups.keys.sorted() {
            parts.append("no difference beyond ±\(bound)% (±\(ResultCell.format(Double(bound) / 100 * base)) ns): "
                + groups[bound]!.map(\.0).joined(separator: ", "))
        }
        return parts.joined(separator: ", ")
    }

    /// "2.5 ns ×3 or 3.3 ns ×2": a series' two modes and how many repetitions fell in each.
    static func modes(_ m: ModeSplit) -> String {
        "\(ResultCell.format(m.low)) ns ×\(m.lowCount) or \(ResultCell.format(m.high)) ns ×\(m.highCount)"
    }

    /// `(ratio − 1) × base` as signed ns: an effect's point or bound in added ns.
    static func signedNs(_ ratio: Double, _ base: Double) -> String {
        let v = (ratio - 1) * base
        return (v >= 0 ? "+" : "-") + ResultCell.format(abs(v))
    }

    static func percentText(_ fraction: Double) -> String {
        let p = fraction * 100
        return p >= 10 ? "\(Int(p.rounded()))%" : p >= 1 ? String(format: "%.1f%%", p) : String(format: "%.2f%%", p)
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
    /// Appended to a claim whose factor is not outside the noise band: what it rules out.
    var significanceNote: String { isSignificant ? "" : " (no difference beyond ±\(resolvablePercent)%)" }

    /// The interval's farthest end from no change, in whole percent (rounded up): the largest
    /// difference the data do not rule out.
    var resolvablePercent: Int {
        // The tolerance keeps 1.01 − 1 (= 0.0100000…09 in binary) at 1 %, not 2.
        Int((max(abs(low - 1), abs(high - 1)) * 100 - 1e-9).rounded(.up))
    }
}

/// The `host` calibration rows of a run (HostCalibration): what the findings need of them.
struct HostRows {
    let rows: [ResultRow]
    init(_ all: [ResultRow]) { rows = all.filter { $0.strategy == "host" && $0.phase == .calibration } }

    func rmwNanoseconds(threads: Int) -> Double? {
        rows.first { $0.op == .rmw && $0.threads == threads && $0.metric == .nsPerOp }?.value
    }
    var kernelGraceMicroseconds: [Double] {
        rows.filter { $0.workload == "kernel-rcu" && $0.op == .grace }.compactMap(\.value)
    }
    var clockResolutionNs: Double? { rows.first { $0.metric == .resolutionNs }?.value }
}


/// Repetition values of the run's cases, by repetition, for the findings' bootstraps.
struct Samples {
    struct Key: Hashable {
        let strategy, workload: String
        let phase: Phase
        let op: Op
        let threads, size: Int
        let metric: Metric
    }
    private var values: [Key: [Int: Double]] = [:]
    private var missingKeys: Set<Key> = []
    let threads: [Int]
    let sizes: [Int]

    init(_ rows: [ResultRow]) {
        var threads = Set<Int>(), sizes = Set<Int>()
        for r in rows where r.phase != .calibration {
            let k = Key(strategy: r.strategy, workload: r.workload, phase: r.phase, op: r.op, threads: r.threads, size: r.size, metric: r.metric)
            if let v = r.value, v.isFinite { values[k, default: [:]][r.repetition] = v } else { missingKeys.insert(k) }
            threads.insert(r.threads)
            sizes.insert(r.size)
        }
        self.threads = threads.sorted()
        self.sizes = sizes.sorted()
    }

    func series(_ s: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int, metric: Metric = .nsPerOp) -> [Int: Double] {
        values[Key(strategy: s, workload: w.rawValue, phase: phase, op: op, threads: t, size: size, metric: metric)] ?? [:]
    }

    func values(_ s: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int, metric: Metric = .nsPerOp) -> [Double] {
        series(s, w, phase, op, t, size, metric: metric).sorted { $0.key < $1.key }.map(\.value)
    }

    func has(_ s: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int) -> Bool {
        !series(s, w, phase, op, t, size).isEmpty
    }

    /// Every repetition of the case was `n/a`.
    func missing(_ s: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int) -> Bool {
        !has(s, w, phase, op, t, size)
            && missingKeys.contains(Key(strategy: s, workload: w.rawValue, phase: phase, op: op, threads: t, size: size, metric: .nsPerOp))
    }

    func median(_ s: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int) -> Double? {
        let v = values(s, w, phase, op, t, size)
        return v.isEmpty ? nil : Effect.median(v)
    }

    /// `subject / baseline` on the same workload and op; the baseline may come from another
    /// phase or thread count. Paired by repetition when both ran the same rounds.
    /// Frees after the kill compared on `over_control` (the host's speed cancels; its ratio of
    /// two subjects is the ratio of their frees), or on ns when a CSV predates that metric.
    func freeEffect(_ subject: String, _ baseline: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int) -> Effect? {
        effect(subject, baseline, w, phase, op, t, size, metric: .overControl) ?? effect(subject, baseline, w, phase, op, t, size)
    }

    func effect(_ subject: String, _ baseline: String, _ w: WorkloadKind, _ phase: Phase, _ op: Op, _ t: Int, _ size: Int,
                metric: Metric = .nsPerOp, baselinePhase: Phase? = nil, baselineThreads: Int? = nil) -> Effect? {
        let a = series(subject, w, phase, op, t, size, metric: metric)
        let b = series(baseline, w, baselinePhase ?? phase, op, baselineThreads ?? t, size, metric: metric)
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let paired = Set(a.keys) == Set(b.keys)
        let keysA = a.keys.sorted(), keysB = paired ? keysA : b.keys.sorted()
        // A seed from the case, so each claim's resampling is fixed but not shared by all.
        var seed: UInt64 = 1_469_598_103_934_665_603
        for byte in "\(subject)/\(baseline)/\(w.rawValue)/\(phase)/\(op)/\(t)/\(metric)".utf8 { seed = (seed ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Effect.ratioOfMedians(keysA.map { a[$0]! }, keysB.map { b[$0]! }, paired: paired, seed: seed)
    }
}
