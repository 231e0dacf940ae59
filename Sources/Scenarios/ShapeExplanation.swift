import Results

/// `bench scenarios --explain`: a scenario's BPF shape as text lines (mail-safe, no tabs).
extension Scenario {
    public var explanation: [String] {
        let shape = self.shape
        var lines = ["\(rawValue): \(title)", "  \(summary)", "  maps:"]
        lines += shape.maps.map { m in
            let value = m.kptrFields.isEmpty ? "" : ", value { \(m.kptrFields.map(\.description).joined(separator: "; ")) }"
            return "    \(m.name): \(m.type), entries \(m.entries)\(value)"
        }
        lines.append("  programs:")
        lines += shape.programs.map { p in
            let calls = p.kfuncs.map(\.rawValue) + p.helpers.map(\.rawValue)
            return "    \(p.name): \(p.type.rawValue) at \(p.attach)\(p.attach.isNMI ? ", NMI context" : ""); used_maps \(p.usedMaps.joined(separator: ", ")); calls \(calls.joined(separator: ", "))"
        }
        lines.append("  steps (user space on CPU 0 unless a run says otherwise):")
        for (i, step) in shape.steps.enumerated() { lines += ShapeText.step(step, number: i + 1) }
        if let window = shape.window { lines.append("  window: \(window)") }
        let unreleased = shape.unreleased
        lines.append(unreleased.isEmpty
            ? "  references held across runs: none (every acquired reference is released in the run that acquired it)"
            : "  references held across runs: " + unreleased.map { "\($0.ref) by \($0.program)" }.joined(separator: ", "))
        return lines
    }
}

/// Text of steps, runs and actions for the explanation.
enum ShapeText {
    static func step(_ step: ShapeStep, number: Int) -> [String] {
        switch step {
        case .syscall(let s): return ["    \(number). \(syscall(s))"]
        case .run(let r): return ["    \(number). " + runHeader(r)] + r.actions.map { "         " + action($0) }
        case .during(let s, let runs):
            return ["    \(number). \(syscall(s)), while on CPU 1:"]
                + runs.flatMap { r in ["         " + runHeader(r)] + r.actions.map { "           " + action($0) } }
        }
    }

    static func syscall(_ s: ShapeSyscall) -> String {
        "\(s.call.rawValue) \(s.object)" + (s.effect.map { " → \($0.rawValue)" } ?? "")
    }

    static func runHeader(_ r: ShapeRun) -> String {
        let held = Set(r.actions.compactMap { a -> HeldRef? in
            switch a {
            case .objAlloc(_, let h), .xchgOut(_, _, let h): return h
            case .xchgIn(_, _, _, let old): return old
            default: return nil
            }
        }).map(\.name).sorted()
        return "CPU \(r.cpu), \(r.program), \(r.repeats.rawValue)" + (held.isEmpty ? ":" : " (holds \(held.joined(separator: ", ")) within the run):")
    }

    static func action(_ a: RunAction) -> String {
        switch a {
        case .objAlloc(let m, let h): return "\(h) = bpf_obj_alloc(&\(m), size)"
        case .lookupOuter(let m, let k): return "v = bpf_map_lookup_elem(&\(m), \(k))"
        case .xchgOut(let m, let slot, let h): return "\(h) = bpf_kptr_xchg(&\(m)[\(slot)].kptr, NULL)"
        case .xchgIn(let m, let slot, let r, let old):
            return (old.map { "\($0) = " } ?? "") + "bpf_kptr_xchg(&\(m)[\(slot)].kptr, \(r))"
        case .objDrop(let h, let when): return "bpf_obj_drop(\(h))" + (when.map { ": \($0)" } ?? "")
        case .meanwhile(let calls): return "meanwhile CPU 0: " + calls.map(syscall).joined(separator: "; ")
        }
    }
}
