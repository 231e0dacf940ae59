import Results
/// The markdown report: machine, exact command, tables per phase, findings.
public enum MarkdownReport {
    public static func render(_ d: RunDescription, _ sections: ReportSections) -> String {
        var out: [String] = []
        out.append("# memalloc-bench results \(d.runID)")
        out.append("")
        // Five lines a reader takes away: where, what was run, the three strongest claims.
        out.append("**Summary.** \(d.host) (\(d.cpuModel), CPUs \(d.cpus), kernel \(d.kernel)), commit \(d.commit).  ")
        out.append("`\(d.command)`  ")
        for (i, f) in sections.findings.prefix(3).enumerated() { out.append("\(i + 1). \(f)  ") }
        out.append("")
        out.append("- Machine: \(d.host), \(d.cpuModel), CPUs \(d.cpus), \(d.nodes) NUMA node\(d.nodes == 1 ? "" : "s"), kernel \(d.kernel)")
        out.append("- Build: Swift \(d.swift), \(d.build), commit \(d.commit), \(d.timestamp)")
        out.append("- Command: `\(d.command)`")
        out.append("- Settings: \(d.settings)")
        for n in d.notes { out.append("- Note: \(n)") }
        out.append("")
        for t in sections.tables {
            out.append("## \(t.title)")
            out.append("")
            out.append(TextTableRenderer.markdown(t))
            out.append("")
        }
        if !sections.findings.isEmpty {
            out.append("## These results show")
            out.append("")
            for f in sections.claims.kernel { out.append(f.hasPrefix("- ") ? "  \(f)" : "- \(f)") }
            if !sections.claims.model.isEmpty {
                out += ["", "**\(RunClaims.modelHeading)**", ""]
                for f in sections.claims.model { out.append(f.hasPrefix("- ") ? "  \(f)" : "- \(f)") }
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}

/// The plain-text mail report (≤ 75 columns): machine, exact command, pipe tables,
/// "These results show:" bullets — what the bpf list expects in a cover letter.
public enum MailReport {
    public static let width = 75

    public static func render(_ d: RunDescription, _ sections: ReportSections) -> String {
        var out: [String] = []
        out += TextWrap.wrap("Machine: \(d.host), \(d.cpuModel), \(d.cpus.isEmpty ? "" : "CPUs \(d.cpus), ")\(d.nodes) NUMA node\(d.nodes == 1 ? "" : "s"), kernel \(d.kernel)", width: width, restPrefix: "  ")
        out += TextWrap.wrap("Build: Swift \(d.swift), \(d.build), commit \(d.commit)", width: width, restPrefix: "  ")
        out += TextWrap.wrap("Command: \(d.command)", width: width, restPrefix: "  ")
        out += TextWrap.wrap("Settings: \(d.settings)", width: width, restPrefix: "  ")
        for n in d.notes { out += TextWrap.wrap("Note: \(n)", width: width, restPrefix: "  ") }
        out.append("")
        for t in sections.tables {
            out += tableLines(t)
            out.append("")
        }
        if !sections.findings.isEmpty {
            out.append("These results show:")
            out += bullets(sections.claims.kernel)
            if !sections.claims.model.isEmpty {
                out += [""] + TextWrap.wrap(RunClaims.modelHeading, width: width) + bullets(sections.claims.model)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A table's title and body within `width` (`MailTableLayout`).
    static func tableLines(_ t: ReportSections.Table) -> [String] {
        TextWrap.wrap(t.title, width: width) + [""] + MailTableLayout.lines(t, width: width)
    }

    /// Findings as wrapped bullets; a finding starting "- " is a sub-bullet.
    static func bullets(_ findings: [String]) -> [String] {
        findings.flatMap { f in
            f.hasPrefix("- ") ? TextWrap.wrap(String(f.dropFirst(2)), width: width, firstPrefix: "  - ", restPrefix: "    ")
                : TextWrap.wrap(f, width: width, firstPrefix: "- ", restPrefix: "  ")
        }
    }
}
