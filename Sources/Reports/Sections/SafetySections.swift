import Results
/// The safety part of a report: one verdict matrix (strategy × scenario) per reuse rule, the
/// negative controls, the cost of each strategy next to its verdicts when the run also measured
/// it, and findings: one evidence line per verdict that is not `safe` or not what the README's
/// expectation table says, which verdicts depend on the reuse rule and why, and whether every
/// control produced its planted fault.
public struct SafetySections: Sendable {
    public let tables: [ReportSections.Table]
    public let findings: [String]

    /// - Parameters:
    ///   - verdicts: in rule, scenario, strategy order (controls, `control != nil`, anywhere).
    ///   - rows: the run's performance rows (may be empty); the cost table uses the `pair`
    ///     workload's `ns_per_op` at the smallest thread count and size.
    ///   - kernel: the scenarios' sequences as the real kernel ran them (a row beside the
    ///     verdicts, a table of their own, and what the model alone carries).
    public init(verdicts all: [SafetyVerdict], rows: [ResultRow] = [], kernel: [KernelSafetyCheck] = []) {
        guard !all.isEmpty || !kernel.isEmpty else {
            tables = []
            findings = []
            return
        }
        let m = Matrix(all)
        tables = Self.verdictTables(m, kernel: kernel) + KernelSafetyTable.tables(kernel, number: m.number)
            + Self.controlTable(m) + Self.costTable(m, rows: rows)
        // The kernel's answer first; the model's verdicts and their evidence after it.
        findings = KernelSafetyTable.findings(kernel, verdicts: m.verdicts, number: m.number) + Self.backEndFindings(m) + Self.verdictFindings(m)
            + Self.ruleFindings(m) + Self.controlFindings(m) + Self.summary(m)
    }

    /// The verdicts by strategy, scenario and rule, in the order they came.
    struct Matrix {
        let verdicts: [SafetyVerdict]
        let controls: [SafetyVerdict]
        let scenarios: [String]
        let strategies: [String]
        /// Rows of the verdict tables: `strategies` less each back end whose verdicts are all
        /// its lifetime's (shown on that row, with a note).
        let verdictRows: [String]
        let foldedBackEnds: [BackEnd]
        let rules: [String]

        init(_ all: [SafetyVerdict]) {
            verdicts = all.filter { $0.control == nil }
            controls = all.filter { $0.control != nil }
            scenarios = SafetySections.distinct(all.map(\.scenario))
            strategies = SafetySections.distinct(verdicts.map(\.strategy))
            rules = SafetySections.distinct(all.map(\.rule))
            let v = verdicts
            let folded = BackEnd.known.filter { b in
                let mine = v.filter { $0.strategy == b.strategy }
                return !mine.isEmpty && mine.allSatisfy { x in
                    v.contains { $0.strategy == b.lifetime && $0.scenario == x.scenario && $0.rule == x.rule && $0.kind == x.kind }
                }
            }
            foldedBackEnds = folded
            verdictRows = strategies.filter { s in !folded.contains { $0.strategy == s } }
        }

        /// A verdict row's label: the strategy, with the back ends folded into it.
        func rowLabel(_ s: String) -> String {
            ([s] + foldedBackEnds.filter { $0.lifetime == s }.map(\.strategy)).joined(separator: " = ")
        }

        func number(_ scenario: String) -> Int { (scenarios.firstIndex(of: scenario) ?? 0) + 1 }

        func verdict(_ strategy: String, _ scenario: String, _ rule: String) -> SafetyVerdict? {
            verdicts.first { $0.strategy == strategy && $0.scenario == scenario && $0.rule == rule }
        }

        func cell(_ v: SafetyVerdict?) -> String {
            guard let v else { return "" }
            var text = v.kind.short
            if case .leak = v.kind, let n = SafetySections.leakedObjects(v.label) { text += " \(n)" }
            return v.matchesExpectation ? text : text + " *"
        }

        /// A strategy's hazards across scenarios and rules, for the cost table, grouped by kind so
        /// the column stays narrow: "UAF #1 #2imm #4, leak #3".
        func hazards(_ s: String) -> String {
            var byKind: [(SafetyVerdict.Kind, [String])] = []
            func add(_ kind: SafetyVerdict.Kind, _ text: String) {
                if let i = byKind.firstIndex(where: { $0.0 == kind }) { byKind[i].1.append(text) } else { byKind.append((kind, [text])) }
            }
            for sc in scenarios {
                let mine = rules.compactMap { verdict(s, sc, $0) }
                let shown = mine.filter { $0.kind != .safe || !$0.matchesExpectation }
                guard !shown.isEmpty else { continue }
                // The same verdict under every rule: no rule named.
                if shown.count == mine.count && Set(shown.map(\.kind)).count == 1 && shown.allSatisfy(\.matchesExpectation) {
                    add(shown[0].kind, "#\(number(sc))")
                    continue
                }
                for v in shown {
                    add(v.kind, "#\(number(sc))\(rules.count > 1 ? SafetySections.ruleShort(v.rule) : "")\(v.matchesExpectation ? "" : "*")")
                }
            }
            return byKind.isEmpty ? "none" : byKind.map { "\($0.0.short) \($0.1.joined(separator: " "))" }.joined(separator: ", ")
        }
    }

    /// One column group per rule: stacked tables, so mail stays within 75 columns.
    /// The kernel's row (its sequences' legality) goes under the rule the kernel has:
    /// bpf_obj_drop reuses an object without a bpf_refcount at once (`immediate`).
    static func verdictTables(_ m: Matrix, kernel: [KernelSafetyCheck] = []) -> [ReportSections.Table] {
        let legend = m.scenarios.map { s in "#\(m.number(s)) \(s)" }.joined(separator: ", ")
        let kernelRule = m.rules.contains("immediate") ? "immediate" : m.rules.first
        return m.rules.enumerated().compactMap { i, rule in
            guard !m.verdicts.filter({ $0.rule == rule }).isEmpty else { return nil }
            let what = m.rules.count > 1 ? "Safety verdicts, \(rule) reuse" : "Safety verdicts"
            let title = i == 0 ? "\(what) (\(legend); * = not the expected verdict)" : "\(what) (columns as above)"
            var body = m.verdictRows.map { s in [m.rowLabel(s)] + m.scenarios.map { m.cell(m.verdict(s, $0, rule)) } }
            if rule == kernelRule, !kernel.isEmpty {
                body.append(["in the kernel"] + m.scenarios.map { sc in kernel.first { $0.scenario == sc }.map(KernelSafetyTable.cell) ?? "" })
            }
            return ReportSections.Table(title: title, header: ["strategy"] + m.scenarios.map { "#\(m.number($0))" }, rows: body)
        }
    }

    static func controlTable(_ m: Matrix) -> [ReportSections.Table] {
        guard !m.controls.isEmpty else { return [] }
        // One row per planted case, in the order they came; a column per rule.
        var cases: [SafetyVerdict] = []
        for c in m.controls where !cases.contains(where: { $0.scenario == c.scenario && $0.strategy == c.strategy && $0.control == c.control }) {
            cases.append(c)
        }
        return [ReportSections.Table(
            title: "Negative controls: a bug planted in a safe case must yield its fault (* = it did not)",
            header: ["#", "strategy", "planted", "fault"] + m.rules,
            rows: cases.map { first in
                let mine = m.controls.filter { $0.scenario == first.scenario && $0.strategy == first.strategy && $0.control == first.control }
                return ["#\(m.number(first.scenario))", first.strategy, first.control!, first.expected.short]
                    + m.rules.map { r in m.cell(mine.first { $0.rule == r }) }
            })]
    }

    /// Cost next to safety, when this run measured the strategies too.
    static func costTable(_ m: Matrix, rows: [ResultRow]) -> [ReportSections.Table] {
        // The cases' own phases only: the host's calibration rows (size 0) and the footprint's
        // (sizes per class) would pick a thread count and size no case has, and hide the table.
        let perf = ResultTable(rows: rows.filter { [Phase.live, .postKill, .kill].contains($0.phase) })
        guard let threads = perf.distinct(\.threads).sorted().first, let size = perf.distinct(\.size).sorted().first,
              !m.verdicts.isEmpty else { return [] }
        func ns(_ s: String, _ phase: Phase, _ op: Op = .pair) -> String {
            guard let c = perf.cell(s, "pair", phase, op, threads: threads, size: size, metric: .nsPerOp) else { return "" }
            return c.stats.map { ResultCell.format($0.mean) } ?? "n/a"
        }
        func killMicroseconds(_ s: String, op: Op) -> String {
            guard let key = perf.order.first(where: {
                $0.strategy == s && $0.workload == "pair" && $0.phase == .kill && $0.op == op && $0.threads == threads
                    && $0.size == size && $0.metric == .latencyUs
            }), let c = perf.cells[key] else { return "" }
            return c.stats.map { ResultCell.format($0.median) } ?? "n/a"
        }
        let body = m.strategies.compactMap { s -> [String]? in
            let cells = [ns(s, .live), ns(s, .postKill, .free), killMicroseconds(s, op: .kill), killMicroseconds(s, op: .walk)]
            if cells.allSatisfy(\.isEmpty) { return nil }
            return [s] + cells + [m.hazards(s)]
        }
        guard !body.isEmpty else { return [] }
        return [ReportSections.Table(
            title: "Cost and safety: live pair and after-kill free ns/op (\(threads) thr, \(size) B), kill and unload walk µs, hazards"
                + (m.rules.count > 1 ? " (imm/rcu: only under that reuse rule)" : ""),
            header: ["strategy", "live", "free", "kill", "walk", "hazards"], rows: body)]
    }

    /// Why a back end has no row of its own.
    static func backEndFindings(_ m: Matrix) -> [String] {
        m.foldedBackEnds.map { "\($0.strategy) is \($0.lifetime)'s back end (\($0.why)): every verdict equals \($0.lifetime)'s, so it shares that row." }
    }

    /// One evidence line per verdict that is not safe or not the expected one.
    static func verdictFindings(_ m: Matrix) -> [String] {
        m.verdicts.filter { m.verdictRows.contains($0.strategy) && ($0.kind != .safe || !$0.matchesExpectation) }.map { v in
            let faulty = v.iterations > 1 ? " in \(v.faultyIterations) of \(v.iterations) iterations" : ""
            let surprise = v.matchesExpectation ? "" : " — NOT the expected \(v.expected.rawValue)"
            let rule = m.rules.count > 1 ? ", \(v.rule) reuse" : ""
            return "\(v.strategy), #\(m.number(v.scenario)) \(v.scenario)\(rule): \(v.label)\(faulty)\(surprise): \(v.evidence)"
        }
    }

    /// Which verdicts depend on the reuse rule, and why.
    static func ruleFindings(_ m: Matrix) -> [String] {
        guard m.rules.count > 1 && !m.verdicts.isEmpty else { return [] }
        var dependent: [String] = []
        for sc in m.scenarios {
            for s in m.verdictRows {
                let mine = m.rules.compactMap { m.verdict(s, sc, $0) }
                guard mine.count > 1, Set(mine.map(\.kind)).count > 1 else { continue }
                let how = mine.map { "\($0.kind.rawValue) under \($0.rule)" }.joined(separator: ", ")
                let safer = mine.first { $0.kind == .safe }
                let why = (safer?.rationale).map { $0.isEmpty ? "" : " — \($0)" } ?? ""
                dependent.append("\(s) #\(m.number(sc)) \(sc): \(how)\(why)")
            }
        }
        return [dependent.isEmpty
            ? "No verdict depends on the reuse rule (\(m.rules.joined(separator: ", ")))."
            : "\(dependent.count) verdict\(dependent.count == 1 ? "" : "s") depend on the reuse rule:"]
            + dependent.map { "  " + $0 }
    }

    /// Whether every control produced its planted fault.
    static func controlFindings(_ m: Matrix) -> [String] {
        guard !m.controls.isEmpty else { return [] }
        let missed = m.controls.filter { !$0.matchesExpectation }
        return missed.map { c in
            "control #\(m.number(c.scenario)) \(c.scenario) × \(c.strategy), planted \(c.control!), \(c.rule) reuse: "
                + "\(c.label) — NOT the planted \(c.expected.rawValue): \(c.evidence)"
        } + [missed.isEmpty
            ? "All \(m.controls.count) negative controls yield their planted fault."
            : "\(missed.count) of \(m.controls.count) negative controls do not yield their planted fault."]
    }

    static func summary(_ m: Matrix) -> [String] {
        guard !m.verdicts.isEmpty else { return [] }
        let unexpected = m.verdicts.filter { !$0.matchesExpectation }.count
        return [unexpected == 0
            ? "All \(m.verdicts.count) safety verdicts match the expectation table."
            : "\(unexpected) of \(m.verdicts.count) safety verdicts differ from the expectation table."]
    }

    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// `imm` / `rcu` for narrow cells.
    static func ruleShort(_ rule: String) -> String { rule == "immediate" ? "imm" : rule }

    /// N of a `leak (N objects, B B)` label.
    static func leakedObjects(_ label: String) -> Int? {
        if case .leak(let objects, _)? = Verdict(label: label) { return objects }
        return nil
    }
}
