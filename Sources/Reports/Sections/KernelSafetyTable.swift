import Results

/// The safety scenarios in the real kernel: a table of what each sequence did (legal, objects
/// accounted, maps freed, kernel log, the racing run's window), the shape the verifier refused,
/// and findings that say what the model alone carries — so the model's faults and the kernel's
/// silence stand side by side with the reason.
enum KernelSafetyTable {
    /// The verdict tables' cell: `legal`, `legal !` (an object unaccounted, a map left, a
    /// kernel report) or `not legal`.
    static func cell(_ c: KernelSafetyCheck) -> String { c.legal ? (c.clean ? "legal" : "legal !") : "not legal" }

    static func tables(_ checks: [KernelSafetyCheck], number: (String) -> Int) -> [ReportSections.Table] {
        guard !checks.isEmpty else { return [] }
        let body = checks.map { c -> [String] in
            let refused = c.scenario == KernelSafetyCheck.refusedShape
            let objects = c.allocated.map { a in "\(a) = \(c.dropped ?? 0) + \(c.left ?? 0)\(c.accounted ? "" : " !")" }
                ?? (c.legal ? "did not run !" : "not legal")
            let log = c.kernelReports.map { $0 == 0 ? "clean" : "\($0) new !" } ?? (c.allocated == nil ? "" : "unread")
            return [refused ? "—" : "#\(number(c.scenario))", refused ? "exit holding" : c.scenario,
                    refused && c.legal ? "ACCEPTED !" : objects, c.mapsLeft.map { "\($0)" } ?? "", log,
                    c.windowUs.map { ResultCell.format($0) } ?? ""]
        }
        return [ReportSections.Table(
            title: "In the kernel: each scenario's programs around bpf_global_ma (safety.bpf.c), verified and run on CPUs \(checks[0].cpus); "
                + "new objects = dropped by programs + left in maps (their map free drops them); window: the racing run; "
                + "exit holding: a run that ends holding its object, which the verifier refuses",
            header: ["#", "sequence", "new = drop + left", "maps left", "log", "window µs"], rows: body)]
    }

    static func findings(_ checks: [KernelSafetyCheck], verdicts: [SafetyVerdict], number: (String) -> Int) -> [String] {
        let sequences = checks.filter { $0.scenario != KernelSafetyCheck.refusedShape }
        guard !sequences.isEmpty else { return [] }
        var out: [String] = []
        let clean = sequences.filter(\.clean)
        if clean.count == sequences.count {
            let a = sequences.compactMap(\.allocated).reduce(0, +), d = sequences.compactMap(\.dropped).reduce(0, +)
            let l = sequences.compactMap(\.left).reduce(0, +)
            out.append("In the kernel every one of the \(sequences.count) sequences is legal and runs: each program verified, all \(a) objects "
                + "accounted (\(d) dropped by programs + \(l) left in maps and dropped by their map free), no map left, no new kernel WARNING/BUG.")
        } else {
            for c in sequences where !c.clean {
                out.append("In the kernel, \(c.scenario): \(c.legal ? "legal but" : "not legal:") \(c.evidence)"
                    + (c.legal && !c.accounted ? "; objects NOT accounted" : "") + ((c.mapsLeft ?? 0) > 0 ? "; \(c.mapsLeft!) map(s) never freed" : "")
                    + ((c.kernelReports ?? 0) > 0 ? "; \(c.kernelReports!) new kernel report line(s)" : ""))
            }
        }
        let faults = verdicts.filter { $0.kind != .safe && $0.control == nil }
        if !faults.isEmpty && clean.count == sequences.count {
            out.append("The model's \(faults.count) unsafe verdict(s) come from a step the kernel does not have: the allocator map's kill "
                + "(bpf_global_ma is never destroyed, so no object outlives its allocator); the same sequences run clean in the kernel above. "
                + "They say what a per-program allocator would risk, not what today's kernel does.")
        }
        out += modelledSteps(sequences, number: number)
        if let shape = checks.first(where: { $0.scenario == KernelSafetyCheck.refusedShape }) {
            out.append(shape.legal
                ? "The shape the 2022 scripts described — an object held across runs — was NOT refused: \(shape.evidence)"
                : "The shape the 2022 scripts described — an object held across runs, i.e. a run that exits holding it — is refused: \(shape.evidence). "
                    + "in-flight-at-kill, last-put-in-nmi and paused-put-at-kill therefore hold their objects inside one run.")
        }
        let raced = sequences.filter { $0.windowUs != nil }
        if !raced.isEmpty {
            out.append("The unload landed inside one holding run in " + raced.map { c in
                "#\(number(c.scenario)) \(c.scenario) (a run of \(ResultCell.format(c.windowUs!)) µs)"
            }.joined(separator: ", ") + "; the CSV's evidence gives where in it.")
        }
        return out
    }

    /// "Only the model carries: the allocator map's kill (#1–#8); lazy's used_allocators put at the walk (#2, #6); …".
    static func modelledSteps(_ sequences: [KernelSafetyCheck], number: (String) -> Int) -> [String] {
        var steps: [(step: String, numbers: [Int])] = []
        for c in sequences {
            guard let scenario = Scenario(rawValue: c.scenario) else { continue }
            for step in scenario.modelledSteps {
                if let i = steps.firstIndex(where: { $0.step == step }) { steps[i].numbers.append(number(c.scenario)) } else {
                    steps.append((step, [number(c.scenario)]))
                }
            }
        }
        guard !steps.isEmpty else { return [] }
        let all = sequences.count
        return ["Only the model carries: " + steps.map { s in
            "\(s.step) (" + (s.numbers.count == all && all > 1 ? "every sequence" : s.numbers.map { "#\($0)" }.joined(separator: ", ")) + ")"
        }.joined(separator: "; ") + "."]
    }
}
