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
    public init(verdicts all: [SafetyVerdict], rows: [ResultRow] = []) {
        guard !all.isEmpty else {
            tables = []
            findings = []
            return
        }
        let verdicts = all.filter { $0.control == nil }
        let controls = all.filter { $0.control != nil }
        let scenarios = Self.distinct(all.map(\.scenario))
        let strategies = Self.distinct(verdicts.map(\.strategy))
        let rules = Self.distinct(all.map(\.rule))
        func number(_ scenario: String) -> Int { (scenarios.firstIndex(of: scenario) ?? 0) + 1 }
        func verdict(_ strategy: String, _ scenario: String, _ rule: String) -> SafetyVerdict? {
            verdicts.first { $0.strategy == strategy && $0.scenario == scenario && $0.rule == rule }
        }
        func cell(_ v: SafetyVerdict?) -> String {
            guard let v else { return "" }
            var text = v.kind.short
            if case .leak = v.kind, let n = Self.leakedObjects(v.label) { text += " \(n)" }
            return v.matchesExpectation ? text : text + " *"
        }

        var tables: [ReportSections.Table] = []
        let legend = scenarios.map { s in "#\(number(s)) \(s)" }.joined(separator: ", ")
        // One column group per rule: stacked tables, so mail stays within 75 columns.
        for (i, rule) in rules.enumerated() where !verdicts.filter({ $0.rule == rule }).isEmpty {
            let what = rules.count > 1 ? "Safety verdicts, \(rule) reuse" : "Safety verdicts"
            let title = i == 0 ? "\(what) (\(legend); * = not the expected verdict)" : "\(what) (columns as above)"
            tables.append(ReportSections.Table(
                title: title, header: ["strategy"] + scenarios.map { "#\(number($0))" },
                rows: strategies.map { s in [s] + scenarios.map { cell(verdict(s, $0, rule)) } }))
        }
        if !controls.isEmpty {
            let controlCases = Self.distinct(controls.map { "\($0.scenario)|\($0.strategy)|\($0.control!)" })
            tables.append(ReportSections.Table(
                title: "Negative controls: a bug planted in a safe case must yield its fault (* = it did not)",
                header: ["#", "strategy", "planted", "fault"] + rules,
                rows: controlCases.map { key in
                    let parts = key.split(separator: "|").map(String.init)
                    let mine = controls.filter { $0.scenario == parts[0] && $0.strategy == parts[1] && $0.control == parts[2] }
                    return ["#\(number(parts[0]))", parts[1], parts[2], mine.first?.expected.short ?? ""]
                        + rules.map { r in cell(mine.first { $0.rule == r }) }
                }))
        }

        // Cost next to safety, when this run measured the strategies too.
        let perf = ResultTable(rows: rows)
        let threads = perf.distinct(\.threads).sorted().first
        let size = perf.distinct(\.size).sorted().first
        if let threads, let size, !verdicts.isEmpty {
            func ns(_ s: String, _ phase: String, _ op: String = "pair") -> String {
                guard let c = perf.cell(s, "pair", phase, op, threads: threads, size: size, metric: "ns_per_op") else { return "" }
                return c.stats.map { ResultCell.format($0.mean) } ?? "n/a"
            }
            func killMicroseconds(_ s: String, op: String) -> String {
                guard let key = perf.order.first(where: {
                    $0.strategy == s && $0.workload == "pair" && $0.phase == "kill" && $0.op == op && $0.threads == threads
                        && $0.size == size && $0.metric == "latency_us"
                }), let c = perf.cells[key] else { return "" }
                return c.stats.map { ResultCell.format($0.median) } ?? "n/a"
            }
            func hazards(_ s: String) -> String {
                let bad = scenarios.flatMap { sc -> [String] in
                    let mine = rules.compactMap { verdict(s, sc, $0) }
                    let shown = mine.filter { $0.kind != .safe || !$0.matchesExpectation }
                    guard !shown.isEmpty else { return [] }
                    // The same verdict under every rule: no rule named.
                    if shown.count == mine.count && Set(shown.map(\.kind)).count == 1 && shown.allSatisfy(\.matchesExpectation) {
                        return ["\(shown[0].kind.short) #\(number(sc))"]
                    }
                    return shown.map { v in
                        "\(v.kind.short) #\(number(sc))\(rules.count > 1 ? " \(Self.ruleShort(v.rule))" : "")\(v.matchesExpectation ? "" : "*")"
                    }
                }
                return bad.isEmpty ? "none" : bad.joined(separator: ", ")
            }
            let body = strategies.compactMap { s -> [String]? in
                let cells = [ns(s, "live"), ns(s, "post-kill", "free"), killMicroseconds(s, op: "kill"), killMicroseconds(s, op: "walk")]
                if cells.allSatisfy(\.isEmpty) { return nil }
                return [s] + cells + [hazards(s)]
            }
            if !body.isEmpty {
                tables.append(ReportSections.Table(
                    title: "Cost and safety: live pair and after-kill free ns/op (\(threads) thr, \(size) B), kill and unload walk µs, hazards"
                        + (rules.count > 1 ? " (imm/rcu: only under that reuse rule)" : ""),
                    header: ["strategy", "live", "free", "kill", "walk", "hazards"], rows: body))
            }
        }
        self.tables = tables

        var findings: [String] = []
        for v in verdicts where v.kind != .safe || !v.matchesExpectation {
            let faulty = v.iterations > 1 ? " in \(v.faultyIterations) of \(v.iterations) iterations" : ""
            let surprise = v.matchesExpectation ? "" : " — NOT the expected \(v.expected.rawValue)"
            let rule = rules.count > 1 ? ", \(v.rule) reuse" : ""
            findings.append("\(v.strategy), #\(number(v.scenario)) \(v.scenario)\(rule): \(v.label)\(faulty)\(surprise): \(v.evidence)")
        }
        if rules.count > 1 && !verdicts.isEmpty {
            var dependent: [String] = []
            for sc in scenarios {
                for s in strategies {
                    let mine = rules.compactMap { verdict(s, sc, $0) }
                    guard mine.count > 1, Set(mine.map(\.kind)).count > 1 else { continue }
                    let how = mine.map { "\($0.kind.rawValue) under \($0.rule)" }.joined(separator: ", ")
                    let safer = mine.first { $0.kind == .safe }
                    let why = (safer?.rationale).map { $0.isEmpty ? "" : " — \($0)" } ?? ""
                    dependent.append("\(s) #\(number(sc)) \(sc): \(how)\(why)")
                }
            }
            findings.append(dependent.isEmpty
                ? "No verdict depends on the reuse rule (\(rules.joined(separator: ", ")))."
                : "\(dependent.count) verdict\(dependent.count == 1 ? "" : "s") depend on the reuse rule:")
            findings += dependent.map { "  " + $0 }
        }
        if !controls.isEmpty {
            let missed = controls.filter { !$0.matchesExpectation }
            for c in missed {
                findings.append("control #\(number(c.scenario)) \(c.scenario) × \(c.strategy), planted \(c.control!), \(c.rule) reuse: "
                    + "\(c.label) — NOT the planted \(c.expected.rawValue): \(c.evidence)")
            }
            findings.append(missed.isEmpty
                ? "All \(controls.count) negative controls yield their planted fault."
                : "\(missed.count) of \(controls.count) negative controls do not yield their planted fault.")
        }
        if !verdicts.isEmpty {
            let unexpected = verdicts.filter { !$0.matchesExpectation }.count
            findings.append(unexpected == 0
                ? "All \(verdicts.count) safety verdicts match the expectation table."
                : "\(unexpected) of \(verdicts.count) safety verdicts differ from the expectation table.")
        }
        self.findings = findings
    }

    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// `imm` / `rcu` for narrow cells.
    static func ruleShort(_ rule: String) -> String { rule == "immediate" ? "imm" : rule }

    /// N of a `leak (N objects, B B)` label.
    static func leakedObjects(_ label: String) -> Int? {
        guard let open = label.firstIndex(of: "(") else { return nil }
        return Int(label[label.index(after: open)...].prefix { $0.isNumber })
    }
}
