import Results
/// One (scenario, strategy) verdict of the thread's hazards replayed (`bench scenarios`), as the
/// reports show it and the results CSV stores it (`phase=scenario`, `metric=verdict`).
public struct SafetyVerdict: Sendable, Equatable {
    public typealias Kind = VerdictKind

    /// The scenario's stable name, e.g. `map-in-map-escape`.
    public var scenario: String
    /// The scenario's one-line title, for legends.
    public var title: String
    public var strategy: String
    /// The reuse rule of the replay: `immediate` or `rcu` (the row's `op`).
    public var rule: String
    /// The planted bug, for a negative control (the row's `phase` is then `control`).
    public var control: String?
    public var kind: Kind
    /// `safe`, `leak (3 objects, 192 B)` or `use-after-free`.
    public var label: String
    public var expected: Kind
    /// The first offending event, or what a safe run ended with.
    public var evidence: String
    /// Why the expectation table expects `expected` (one line; empty when not known).
    public var rationale: String
    public var iterations: Int
    public var faultyIterations: Int
    /// Pinned workers the scenario ran (1 for scripted ones).
    public var threads: Int
    public var cpus: String
    public var size: Int

    public init(scenario: String, title: String, strategy: String, rule: String = "immediate", control: String? = nil,
                kind: Kind, label: String, expected: Kind,
                evidence: String, rationale: String = "", iterations: Int, faultyIterations: Int, threads: Int, cpus: String,
                size: Int) {
        self.rationale = rationale
        self.scenario = scenario
        self.title = title
        self.strategy = strategy
        self.rule = rule
        self.control = control
        self.kind = kind
        self.label = label
        self.expected = expected
        self.evidence = evidence
        self.iterations = iterations
        self.faultyIterations = faultyIterations
        self.threads = threads
        self.cpus = cpus
        self.size = size
    }

    public var matchesExpectation: Bool { kind == expected }

    /// The CSV `unit` of the verdict row: everything a reader needs without the report.
    public var unitText: String {
        let planted = control.map { "control, planted \($0); " } ?? ""
        return "\(planted)\(label); expected \(expected.rawValue); \(faultyIterations)/\(iterations) iterations faulty; \(evidence)"
    }

    /// The verdict as a results-CSV row; `context` supplies the run's context columns.
    public func row(context: ResultRow) -> ResultRow {
        var r = context
        r.strategy = strategy
        r.workload = scenario
        r.phase = control == nil ? .scenario : .control
        r.op = .reuseRule(rule)
        r.threads = threads
        r.cpus = cpus
        r.size = size
        r.repetition = 0
        r.metric = .verdict
        r.value = kind.code
        r.unit = unitText
        return r
    }
}

extension SafetyVerdict {
    /// A verdict read back from its results-CSV row (`bench report`): the inverse of `row`
    /// except for the scenario's title and the rationale, which the CSV does not keep. Nil for
    /// a row that is not a verdict or whose unit does not parse.
    public init?(row r: ResultRow) {
        guard r.metric == .verdict, r.phase == .scenario || r.phase == .control, let v = r.value,
              let kind = Kind.allCases.first(where: { $0.code == v }) else { return nil }
        var rest = Substring(r.unit)
        var control: String?
        if r.phase == .control, rest.hasPrefix("control, planted "), let end = rest.range(of: "; ") {
            control = String(rest[rest.index(rest.startIndex, offsetBy: "control, planted ".count)..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        guard let e = rest.range(of: "; expected ") else { return nil }
        let label = String(rest[..<e.lowerBound])
        rest = rest[e.upperBound...]
        let fields = rest.split(separator: ";", maxSplits: 2, omittingEmptySubsequences: false)
            .map { $0.drop { $0 == " " } }
        guard fields.count >= 2, let expected = Kind(rawValue: String(fields[0])) else { return nil }
        let counts = fields[1].prefix { $0 != " " }.split(separator: "/").compactMap { Int($0) }
        guard counts.count == 2 else { return nil }
        self.init(scenario: r.workload, title: r.workload, strategy: r.strategy, rule: r.op.rawValue, control: control, kind: kind,
                  label: label, expected: expected, evidence: fields.count > 2 ? String(fields[2]) : "",
                  iterations: counts[1], faultyIterations: counts[0], threads: r.threads, cpus: r.cpus, size: r.size)
    }
}
