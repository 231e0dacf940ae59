import Results
import Statistics

/// What the same run's kernel rows say about a model claim: the kernel policy that runs the
/// same accounting (`kernel-atomic` for `atomic`, …) measured around the real allocator. A model
/// finding carries it in the same bullet, and says when the kernel resolves it differently (the
/// two 95 % intervals do not overlap): the model's op is ~2 ns, the kernel's ~440 ns, so a
/// contention the model shows may not exist at the kernel's rate.
struct KernelCounterpart {
    let samples: Samples
    let size: Int

    /// The kernel's added ns per pair for a model policy at `threads`: over `kernel-lazy` (the
    /// same object and entry points, no per-op accounting) when the run has it, else over
    /// `kernel`; from the interleaved rounds' paired differences where both have them.
    struct Added {
        let subject: String
        let control: String
        let interleaved: Bool
        let value: AddedNanoseconds
    }

    static let control = KernelSubjects.control

    func added(_ policy: String, threads t: Int) -> Added? {
        let subject = KernelSubjects.kernel(policy)
        let control = policy != "lazy" && samples.has(Self.control, .pair, .live, .pair, t, size) ? Self.control : "kernel"
        let phase = Phase.interleaved
        // The kernel table's own units and interval where the run has them (paired within
        // rounds, sign-test interval), so the bullet quotes the table's figure.
        let units = samples.series(subject, .pair, phase, .pair, t, size, metric: Metric.addedNs)
        if control == Self.control, !units.isEmpty, case .interval(let v)? = MedianInterval.interval(units.keys.sorted().map { units[$0]! }) {
            return Added(subject: subject, control: control, interleaved: true, value: v)
        }
        let s = samples.series(subject, .pair, phase, .pair, t, size), c = samples.series(control, .pair, phase, .pair, t, size)
        if !s.isEmpty, Set(s.keys) == Set(c.keys) {
            let d = s.keys.sorted().map { s[$0]! - c[$0]! }
            guard let v = AddedNanoseconds.differenceOfMedians(d, [Double](repeating: 0, count: d.count), paired: true) else { return nil }
            return Added(subject: subject, control: control, interleaved: true, value: v)
        }
        let ls = samples.series(subject, .pair, .live, .pair, t, size), lc = samples.series(control, .pair, .live, .pair, t, size)
        let paired = !ls.isEmpty && Set(ls.keys) == Set(lc.keys)
        let keys = ls.keys.sorted()
        guard let v = AddedNanoseconds.differenceOfMedians(keys.map { ls[$0]! }, paired ? keys.map { lc[$0]! } : Array(lc.values),
                                                           paired: paired) else { return nil }
        return Added(subject: subject, control: control, interleaved: false, value: v)
    }

    /// The kernel policy's pair throughput at `tN` threads over its own at `t1`.
    func scaling(_ policy: String, _ t1: Int, _ tN: Int) -> Effect? {
        samples.effect(KernelSubjects.kernel(policy), KernelSubjects.kernel(policy), .pair, .live, .pair, tN, size, metric: .mops, baselineThreads: t1)
    }

    /// The sentence a live-pair claim ends with: per claimed model effect, the kernel's figure;
    /// those the kernel resolves differently first and in full, the consistent ones named.
    func liveSentence(_ claimed: [(policy: String, threads: Int, model: Effect, base: Double)]) -> String? {
        var different: [String] = [], consistent: [String] = []
        for c in claimed {
            guard let k = added(c.policy, threads: c.threads) else { continue }
            let low = (c.model.low - 1) * c.base, high = (c.model.high - 1) * c.base
            let figure = "\(k.subject) \(signed(k.value.added)) ns [\(signed(k.value.low)), \(signed(k.value.high))] over "
                + "\(k.control)\(k.interleaved ? " (interleaved rounds)" : "")"
            if high < k.value.low || low > k.value.high {
                different.append("at \(c.threads) thr the model's \(c.policy) adds \(signed((c.model.ratio - 1) * c.base)) ns, \(figure)")
            } else {
                consistent.append("\(c.policy) \(c.threads) thr (\(figure))")
            }
        }
        guard !different.isEmpty || !consistent.isEmpty else { return nil }
        var parts: [String] = []
        if !different.isEmpty { parts.append("the kernel resolves differently: " + different.joined(separator: "; ")) }
        if !consistent.isEmpty { parts.append("consistent with the kernel: " + consistent.joined(separator: ", ")) }
        return "In the kernel, the same run: " + parts.joined(separator: "; ") + "."
    }

    /// The kernel's atomic pair with threads beside the model's.
    func scalingSentence(model: Effect, _ t1: Int, _ tN: Int) -> String? {
        guard let k = scaling("atomic", t1, tN) else { return nil }
        let differs = model.high < k.low || model.low > k.high
        return "\(differs ? "The kernel resolves this differently: " : "The kernel agrees: ")the kernel's atomic pair: \(tN) thr give "
            + "\(RunFindings.factor(k)) [\(RunFindings.number(k.low)), \(RunFindings.number(k.high))] the \(t1)-thr throughput "
            + "(kernel-atomic rows)" + (differs ? ": at the kernel's cost per pair the shared line is far from saturated (see the projection)." : ".")
    }

    func signed(_ v: Double) -> String { (v >= 0 ? "+" : "−") + ResultCell.format(abs(v)) }
}
