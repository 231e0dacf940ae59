/// The safety part of a report: the verdict matrix (strategy × scenario), the cost of each
/// strategy next to its verdicts when the run also measured it, and one evidence line per
/// verdict that is not `safe` or not what the README's expectation table says.
public struct SafetySections: Sendable {
    public let tables: [ReportSections.Table]
    public let findings: [String]

    /// - Parameters:
    ///   - verdicts: in scenario order, strategies in run order.
    ///   - rows: the run's performance rows (may be empty); the cost table uses the `pair`
    ///     workload's `ns_per_op` at the smallest thread count and size.
    public init(verdicts: [SafetyVerdict], rows: [ResultRow] = []) {
        guard !verdicts.isEmpty else {
            tables = []
            findings = []
            return
        }
        let scenarios = Self.distinct(verdicts.map(\.scenario))
        let strategies = Self.distinct(verdicts.map(\.strategy))
        func number(_ scenario: String) -> Int { (scenarios.firstIndex(of: scenario) ?? 0) + 1 }
        func verdict(_ strategy: String, _ scenario: String) -> SafetyVerdict? {
            verdicts.first { $0.strategy == strategy && $0.scenario == scenario }
        }
        func cell(_ v: SafetyVerdict?) -> String {
            guard let v else { return "" }
            var text = v.kind.short
            if case .leak = v.kind, let n = Self.leakedObjects(v.label) { text += " \(n)" }
            return v.matchesExpectation ? text : text + " *"
        }

        var tables: [ReportSections.Table] = []
        let legend = scenarios.map { s in "#\(number(s)) \(s)" }.joined(separator: ", ")
        tables.append(ReportSections.Table(
            title: "Safety verdicts (\(legend); * = not the expected verdict)",
            header: ["strategy"] + scenarios.map { "#\(number($0))" },
            rows: strategies.map { s in [s] + scenarios.map { cell(verdict(s, $0)) } }))

        // Cost next to safety, when this run measured the strategies too.
        let perf = ResultTable(rows: rows)
        let threads = perf.distinct(\.threads).sorted().first
        let size = perf.distinct(\.size).sorted().first
        if let threads, let size {
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
                let bad = scenarios.compactMap { sc -> String? in
                    guard let v = verdict(s, sc), v.kind != .safe || !v.matchesExpectation else { return nil }
                    return "\(v.kind.short) #\(number(sc))\(v.matchesExpectation ? "" : "*")"
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
                    title: "Cost and safety: live pair and after-kill free ns/op (\(threads) thr, \(size) B), kill and unload walk µs, hazards",
                    header: ["strategy", "live", "free", "kill", "walk", "hazards"], rows: body))
            }
        }
        self.tables = tables

        var findings: [String] = []
        for v in verdicts where v.kind != .safe || !v.matchesExpectation {
            let faulty = v.iterations > 1 ? " in \(v.faultyIterations) of \(v.iterations) iterations" : ""
            let surprise = v.matchesExpectation ? "" : " — NOT the expected \(v.expected.rawValue)"
            findings.append("\(v.strategy), #\(number(v.scenario)) \(v.scenario): \(v.label)\(faulty)\(surprise): \(v.evidence)")
        }
        let unexpected = verdicts.filter { !$0.matchesExpectation }.count
        findings.append(unexpected == 0
            ? "All \(verdicts.count) safety verdicts match the expectation table."
            : "\(unexpected) of \(verdicts.count) safety verdicts differ from the expectation table.")
        self.findings = findings
    }

    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// N of a `leak (N objects, B B)` label.
    static func leakedObjects(_ label: String) -> Int? {
        guard let open = label.firstIndex(of: "(") else { return nil }
        return Int(label[label.index(after: open)...].prefix { $0.isNumber })
    }
}
