import Results
/// What `bench run` prints on the terminal by default: one screen (≤ `maxLines` lines of ≤ 75
/// columns), kernel first — the host, the kernel table(s) and the kernel's findings as
/// `KernelStrategiesSection` returns them, one line each for ownership and safety, and the files
/// that keep every table. The whole mail text is one flag away (`--full-report`).
///
/// When the kernel part does not fit, it is cut by rule, never overflowed: the findings get
/// at most half of the lines left (whole bullets), the tables the rest; a table that still does
/// not fit loses its `unresolved` rows first (they carry no number), then its last rows, and
/// says how many rows are in the file.
public struct TerminalSummary {
    public static let maxLines = 60
    public static let width = MailReport.width

    public let description: RunDescription
    public let rows: [ResultRow]
    public let safety: [SafetyVerdict]
    public let ownership: String?
    /// The run's claims, shown instead of the kernel's when the run has no kernel rows.
    public let claims: [String]
    /// The written files (txt, md, json, csv), in that order of preference for "see …".
    public let files: [String]

    public init(description: RunDescription, rows: [ResultRow], safety: [SafetyVerdict], sections: ReportSections, files: [String]) {
        self.description = description
        self.rows = rows
        self.safety = safety
        ownership = sections.ownershipSummary
        claims = sections.findings
        self.files = files
    }

    /// The file a cut part points to.
    var reference: String {
        for ext in [".txt", ".md", ".json"] { if let f = files.first(where: { $0.hasSuffix(ext) }) { return f } }
        return "the full report (--full-report)"
    }

    public func render() -> String { lines().joined(separator: "\n") + "\n" }

    public func lines() -> [String] {
        let head = header()
        let tail = footer()
        let budget = Self.maxLines - head.count - tail.count - 2  // the blank lines around the body
        return head + [""] + body(budget: budget) + [""] + tail
    }

    func header() -> [String] {
        let d = description
        return wrap("Machine: \(d.host), \(d.cpuModel), \(d.cpus.isEmpty ? "" : "CPUs \(d.cpus), ")\(d.nodes) NUMA node"
                    + "\(d.nodes == 1 ? "" : "s"), kernel \(d.kernel); commit \(d.commit)")
            + wrap("Command: \(d.command)")
    }

    func footer() -> [String] {
        var out: [String] = []
        if let a = AnatomySection.summary(rows) { out += wrap(a) }
        if let o = ownership { out += wrap(o) }
        if let s = safetyLine { out += wrap(s) }
        out += wrap(files.isEmpty ? "No files written; --full-report prints every table here."
                    : "Every table and claim: \(filesText) (--full-report prints them here).")
        return out
    }

    /// `Results/<run-id>.{txt,md,json,csv}` when the files share a base, else every path.
    var filesText: String {
        let bases = Set(files.map { f in f.lastIndex(of: ".").map { String(f[..<$0]) } ?? f })
        guard bases.count == 1, files.count > 1, let base = bases.first else { return files.joined(separator: ", ") }
        return base + ".{" + files.map { String($0.dropFirst(base.count + 1)) }.joined(separator: ",") + "}"
    }

    /// "safety: 8 scenarios × 6 strategies × 2 reuse rules: 60 safe, 0 leak, 36 use-after-free; …".
    var safetyLine: String? {
        let v = safety.filter { $0.control == nil }
        guard !v.isEmpty else { return nil }
        let scenarios = Set(v.map(\.scenario)).count, strategies = Set(v.map(\.strategy)).count, rules = Set(v.map(\.rule)).count
        let counts = SafetyVerdict.Kind.allCases.compactMap { k -> String? in
            let n = v.filter { $0.kind == k }.count
            return n == 0 && k == .unsafeContext ? nil : "\(n) \(k.rawValue)"
        }
        let off = v.filter { !$0.matchesExpectation }.count
        let kernel = KernelSafetyCheck.all(in: rows).filter { $0.scenario != KernelSafetyCheck.refusedShape }
        let inKernel = kernel.isEmpty ? "" : "; in the kernel \(kernel.filter(\.clean).count)/\(kernel.count) legal and clean"
        return "safety: \(scenarios) scenarios × \(strategies) strategies" + (rules > 1 ? " × \(rules) reuse rules" : "")
            + ": " + counts.joined(separator: ", ") + (off == 0 ? " (all as expected)" : " (\(off) NOT as expected)")
            + inKernel + "; see \(reference)"
    }

    func wrap(_ text: String) -> [String] { TextWrap.wrap(text, width: Self.width, restPrefix: "  ") }

    func bullets(_ findings: [String]) -> [[String]] {
        findings.map { TextWrap.wrap($0, width: Self.width, firstPrefix: "- ", restPrefix: "  ") }
    }
}

extension TerminalSummary {
    /// The kernel tables and findings within `budget` lines; the run's claims when there are
    /// no kernel rows.
    func body(budget: Int) -> [String] {
        // One screen: the native refcounts' own table and headline, the policies' table and its
        // null; the same-round calibration and the per-policy findings (the table in words)
        // stay in the files. Without native rows, the policies' findings as before.
        let native = NativeRefsSection.findings(rows)
        let tables = NativeRefsSection.tables(rows).prefix(1) + KernelStrategiesSection.tables(rows)
        let kernel = KernelStrategiesSection.findings(rows)
        let findings = bullets(native.isEmpty ? kernel : Array(native.prefix(1)) + kernel.filter { $0.hasPrefix("Null") })
        if tables.isEmpty && findings.isEmpty {
            let intro = KernelSafetyCheck.all(in: rows).isEmpty ? "No kernel rows in this run; its claims:"
                : "No kernel performance rows in this run; its claims, the kernel's safety runs first:"
            return wrap(intro) + fit(bullets(claims), budget: budget - 1)
        }
        let tableNeed = tables.reduce(0) { $0 + tableLines($1).count + 1 }
        let findingsNeed = findings.reduce(0) { $0 + $1.count }
        let shown = fit(findings, budget: tableNeed + findingsNeed > budget ? max(budget - tableNeed, budget / 2) : budget)
        var left = budget - shown.count
        var out: [String] = []
        for (i, t) in tables.enumerated() {
            guard left > 3 else {
                // No room for this table at all: say where it and the rest are.
                let n = tables.count - i, rows = tables[i...].reduce(0) { $0 + $1.rows.count }
                let more = wrap("… \(n) more table\(n == 1 ? "" : "s"), \(rows) more rows in \(reference)") + [""]
                // The note takes the lines it needs from the table above it, never from the screen.
                out.removeLast(max(0, min(out.count, more.count - left)))
                out += more
                break
            }
            let lines = cappedTable(t, budget: left - 1)
            out += lines + [""]
            left -= lines.count + 1
        }
        return out + shown
    }

    /// How many whole bullets fit in `budget` lines (one kept for the "more" line if cut).
    func wholeBullets(_ b: [[String]], budget: Int) -> Int {
        var used = 0, n = 0
        for x in b {
            if used + x.count > budget - (n + 1 < b.count ? 1 : 0) { break }
            used += x.count
            n += 1
        }
        return n
    }

    /// Whole bullets within `budget`, with a line saying how many more are in the file.
    func fit(_ b: [[String]], budget: Int) -> [String] {
        let n = wholeBullets(b, budget: budget)
        let kept = b.prefix(n).flatMap { $0 }
        let more = b.count - n
        return more == 0 ? kept : kept + wrap("… \(more) more finding\(more == 1 ? "" : "s") in \(reference)")
    }

    func tableLines(_ t: ReportSections.Table) -> [String] {
        TextWrap.wrap(t.title, width: Self.width) + MailTableLayout.lines(t, width: Self.width)
    }

    /// The table within `budget` lines: all of it, else without its `unresolved` rows, else
    /// its first rows; a line says how many rows are left out and where they are.
    func cappedTable(_ t: ReportSections.Table, budget: Int) -> [String] {
        let full = tableLines(t)
        if full.count <= budget { return full }
        let resolved = t.rows.filter { r in !r.contains { $0.hasPrefix("unresolved") } }
        var rows = resolved.count < t.rows.count ? resolved : t.rows
        while !rows.isEmpty {
            let lines = tableLines(ReportSections.Table(title: t.title, header: t.header, rows: rows))
            let more = moreLine(t.rows.count - rows.count, unresolved: t.rows.count - resolved.count, rows.count == resolved.count)
            if lines.count + more.count <= budget { return lines + more }
            rows.removeLast()
        }
        return wrap("(\(t.rows.count) kernel table rows in \(reference))")
    }

    func moreLine(_ left: Int, unresolved: Int, _ onlyUnresolved: Bool) -> [String] {
        guard left > 0 else { return [] }
        let what = onlyUnresolved && unresolved == left ? "\(left) unresolved rows" : "\(left) more rows"
        return wrap("… \(what) in \(reference)")
    }
}
