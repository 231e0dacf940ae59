import Histogram
import Platform
import Reports

/// Turns one repetition's measurements into tidy rows (README "Metrics"). Missing values
/// are rows with an empty value and `n/a: reason` in `unit`, never absent.
struct RowBuilder {
    let context: RunContext
    let spec: CaseSpec
    let repetition: Int

    func row(_ phase: String, _ op: String, _ metric: String, _ value: Double?, _ unit: String) -> ResultRow {
        ResultRow(runID: context.runID, timestamp: context.timestamp, commit: context.commit, host: context.host,
                  cpuModel: context.cpuModel, kernel: context.kernel, swift: context.swift, build: context.build,
                  strategy: spec.subject, workload: spec.workload.rawValue, phase: phase, op: op, threads: spec.threads,
                  cpus: CPUList.format(spec.cpus), size: spec.size, repetition: repetition, metric: metric, value: value, unit: unit)
    }

    /// mops = aggregate over workers (each worker's ops / its busy time, summed);
    /// ns_per_op = a worker's average time per op.
    func throughput(_ phase: String, _ op: String, ops: Int, ns: Int, workers: Int) -> [ResultRow] {
        guard ops > 0, ns > 0 else {
            return [row(phase, op, "mops", nil, "n/a: no operations completed"), row(phase, op, "ns_per_op", nil, "n/a: no operations completed")]
        }
        let perOp = Double(ns) / Double(ops)
        return [row(phase, op, "mops", Double(workers) * 1000 / perOp, "Mops/s"), row(phase, op, "ns_per_op", perOp, "ns")]
    }

    /// The frees' time over the same chunks' control pass: the host's speed cancels, so
    /// strategies are compared on it (`over_control`).
    func overControl(_ phase: String, _ op: String, _ c: PhaseCounters) -> [ResultRow] {
        guard let r = c.overControl else { return [] }
        return [row(phase, op, "over_control", r, "x control")]
    }

    func unavailable(_ phase: String, _ op: String, _ reason: String) -> [ResultRow] {
        let r = reason.hasPrefix("n/a") ? reason : "n/a: \(reason)"
        return [row(phase, op, "mops", nil, r), row(phase, op, "ns_per_op", nil, r)]
    }

    func counters(_ phase: String, _ c: PhaseCounters, workers: Int) -> [ResultRow] {
        var out: [ResultRow] = []
        for op in spec.workload.ops {
            switch op {
            case "alloc": out += throughput(phase, "alloc", ops: c.allocOps, ns: c.allocNs, workers: workers)
            case "free": out += throughput(phase, "free", ops: c.freeOps, ns: c.freeNs, workers: workers)
            default: out += throughput(phase, "pair", ops: c.pairOps, ns: c.pairNs, workers: workers)
            }
        }
        return out
    }

    func latency(_ phase: String, _ h: (alloc: Histogram<UInt64>, free: Histogram<UInt64>)) -> [ResultRow] {
        percentiles(phase, [("alloc", h.alloc), ("free", h.free)])
    }

    func percentiles(_ phase: String, _ ops: [(String, Histogram<UInt64>)]) -> [ResultRow] {
        var out: [ResultRow] = []
        for (op, hist) in ops where hist.totalCount > 0 {
            out.append(row(phase, op, "p50_ns", Double(hist.valueAtPercentile(50)), "ns"))
            out.append(row(phase, op, "p90_ns", Double(hist.valueAtPercentile(90)), "ns"))
            out.append(row(phase, op, "p99_ns", Double(hist.valueAtPercentile(99)), "ns"))
            out.append(row(phase, op, "p999_ns", Double(hist.valueAtPercentile(99.9)), "ns"))
            out.append(row(phase, op, "max_ns", Double(hist.max), "ns"))
        }
        return out
    }

    func rows(_ r: RepetitionResult, hasKill: Bool, latencyWanted: Bool) -> [ResultRow] {
        var out: [ResultRow] = []
        let firstOp = spec.workload.ops[0]
        out += counters("live", r.live, workers: spec.threads)
        if latencyWanted {
            if let l = r.liveLatency { out += latency("live", l) }
            else { out.append(row("live", "alloc", "p50_ns", nil, "n/a: latency pass covers pair and batch only")) }
            // After the kill: the frees racing it, every worker's at once, the map's free.
            for (phase, op, h) in [("kill", "free", r.killLatency), ("post-kill", "free", r.postKillLatency), ("drain", "drain", r.drainLatency)] {
                if let h { out += percentiles(phase, [(op, h)]) }
            }
        }
        for (phase, b) in r.bytes.sorted(by: { $0.key < $1.key }) {
            out.append(row(phase, firstOp, "bytes_peak", Double(b.peak), "B"))
            out.append(row(phase, firstOp, "bytes_avg", Double(b.avg), "B"))
        }
        // Kill.
        if hasKill {
            let k = r.kill
            out.append(row("kill", "kill", "latency_us", k.killNs.map { Double($0) / 1000 }, k.killNs == nil ? "n/a: \(k.note.isEmpty ? "no kill step" : k.note)" : "us"))
            if let c = k.confirmNs { out.append(row("kill", "confirm", "latency_us", Double(c) / 1000, "us")) }
            if let g = k.graceNs { out.append(row("kill", "grace", "latency_us", Double(g) / 1000, "us")) }
            if let f = k.foldNs { out.append(row("kill", "fold", "latency_us", Double(f) / 1000, "us")) }
            if let w = k.walkNs {
                out.append(row("kill", "walk", "latency_us", Double(w) / 1000, "us"))
                out.append(row("kill", "walk", "map_values", Double(k.walkedValues ?? 0), "values"))
            }
        } else {
            out.append(row("kill", "kill", "latency_us", nil, "n/a: no owner to kill"))
        }
        // After the kill: frees only — every worker at once, then the map's free on one thread.
        out += throughput("post-kill", "free", ops: r.postKillFree.freeOps, ns: r.postKillFree.freeNs, workers: spec.threads)
        out += overControl("post-kill", "free", r.postKillFree)
        out += throughput("drain", "drain", ops: r.drain.freeOps, ns: r.drain.freeNs, workers: 1)
        out += overControl("drain", "drain", r.drain)
        if let d = r.teardown.destroyNs {
            out.append(row(r.teardown.destroyPhase, "destroy", "latency_us", Double(d) / 1000, "us"))
        }
        out.append(row("teardown", "teardown", "latency_us", Double(r.teardown.teardownNs) / 1000, "us"))
        if let rt = r.crossCoreRoundTripNs {
            out.append(row("calibration", "pingpong", "round_trip_ns", rt, "ns"))
        }
        out.append(row("teardown", "teardown", "outstanding", Double(r.teardown.outstanding), "objects"))
        return out
    }
}

