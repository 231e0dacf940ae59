import Histogram
import Platform
import Results

/// Turns one repetition's measurements into tidy rows (README "Metrics"). Missing values
/// are rows with an empty value and `n/a: reason` in `unit`, never absent.
struct RowBuilder {
    let context: RunContext
    let spec: CaseSpec
    let repetition: Int

    func row(_ phase: Phase, _ op: Op, _ metric: Metric, _ value: Double?, _ unit: String) -> ResultRow {
        ResultRow(runID: context.runID, timestamp: context.timestamp, commit: context.commit, host: context.host,
                  cpuModel: context.cpuModel, kernel: context.kernel, swift: context.swift, build: context.build,
                  strategy: spec.subject, workload: spec.workload.rawValue, phase: phase, op: op, threads: spec.threads,
                  cpus: CPUList.format(spec.cpus), size: spec.size, repetition: repetition, metric: metric, value: value, unit: unit)
    }

    /// mops = aggregate over workers (each worker's ops / its busy time, summed);
    /// ns_per_op = a worker's average time per op.
    func throughput(_ phase: Phase, _ op: Op, ops: Int, ns: Int, workers: Int) -> [ResultRow] {
        guard ops > 0, ns > 0 else {
            return [row(phase, op, .mops, nil, "n/a: no operations completed"), row(phase, op, .nsPerOp, nil, "n/a: no operations completed")]
        }
        let perOp = Double(ns) / Double(ops)
        return [row(phase, op, .mops, Double(workers) * 1000 / perOp, "Mops/s"), row(phase, op, .nsPerOp, perOp, "ns")]
    }

    /// The frees' time over the same chunks' control pass: the host's speed cancels, so
    /// strategies are compared on it (`over_control`).
    func overControl(_ phase: Phase, _ op: Op, _ c: PhaseCounters) -> [ResultRow] {
        guard let r = c.overControl else { return [] }
        return [row(phase, op, .overControl, r, "x control")]
    }

    func unavailable(_ phase: Phase, _ op: Op, _ reason: String) -> [ResultRow] {
        let r = reason.hasPrefix("n/a") ? reason : "n/a: \(reason)"
        return [row(phase, op, .mops, nil, r), row(phase, op, .nsPerOp, nil, r)]
    }

    func counters(_ phase: Phase, _ c: PhaseCounters, workers: Int) -> [ResultRow] {
        var out: [ResultRow] = []
        for op in spec.workload.ops {
            switch op {
            case .alloc: out += throughput(phase, .alloc, ops: c.allocOps, ns: c.allocNs, workers: workers)
            case .free: out += throughput(phase, .free, ops: c.freeOps, ns: c.freeNs, workers: workers)
            default: out += throughput(phase, .pair, ops: c.pairOps, ns: c.pairNs, workers: workers)
            }
        }
        return out
    }

    func latency(_ phase: Phase, _ h: (alloc: Histogram<UInt64>, free: Histogram<UInt64>)) -> [ResultRow] {
        percentiles(phase, [(.alloc, h.alloc), (.free, h.free)])
    }

    func percentiles(_ phase: Phase, _ ops: [(Op, Histogram<UInt64>)]) -> [ResultRow] {
        var out: [ResultRow] = []
        for (op, hist) in ops where hist.totalCount > 0 {
            out.append(row(phase, op, .p50Ns, Double(hist.valueAtPercentile(50)), "ns"))
            out.append(row(phase, op, .p90Ns, Double(hist.valueAtPercentile(90)), "ns"))
            out.append(row(phase, op, .p99Ns, Double(hist.valueAtPercentile(99)), "ns"))
            out.append(row(phase, op, .p999Ns, Double(hist.valueAtPercentile(99.9)), "ns"))
            out.append(row(phase, op, .maxNs, Double(hist.max), "ns"))
        }
        return out
    }

    func rows(_ r: RepetitionResult, hasKill: Bool, latencyWanted: Bool) -> [ResultRow] {
        var out: [ResultRow] = []
        let firstOp = spec.workload.ops[0]
        out += counters(.live, r.live, workers: spec.threads)
        if latencyWanted {
            if let l = r.liveLatency { out += latency(.live, l) }
            else { out.append(row(.live, .alloc, .p50Ns, nil, "n/a: latency pass covers pair and batch only")) }
            // After the kill: the frees racing it, every worker's at once, the map's free.
            for (phase, op, h) in [(Phase.kill, Op.free, r.killLatency), (.postKill, .free, r.postKillLatency), (.drain, .drain, r.drainLatency)] {
                if let h { out += percentiles(phase, [(op, h)]) }
            }
        }
        for (phase, b) in r.bytes.sorted(by: { $0.key < $1.key }) {
            out.append(row(phase, firstOp, .bytesPeak, Double(b.peak), "B"))
            out.append(row(phase, firstOp, .bytesAvg, Double(b.avg), "B"))
        }
        // Kill.
        if hasKill {
            let k = r.kill
            out.append(row(.kill, .kill, .latencyUs, k.killNs.map { Double($0) / 1000 }, k.killNs == nil ? "n/a: \(k.note.isEmpty ? "no kill step" : k.note)" : "us"))
            if let c = k.confirmNs { out.append(row(.kill, .confirm, .latencyUs, Double(c) / 1000, "us")) }
            if let g = k.graceNs { out.append(row(.kill, .grace, .latencyUs, Double(g) / 1000, "us")) }
            if let f = k.foldNs { out.append(row(.kill, .fold, .latencyUs, Double(f) / 1000, "us")) }
            if let w = k.walkNs {
                out.append(row(.kill, .walk, .latencyUs, Double(w) / 1000, "us"))
                out.append(row(.kill, .walk, .mapValues, Double(k.walkedValues ?? 0), "values"))
            }
        } else {
            out.append(row(.kill, .kill, .latencyUs, nil, "n/a: no owner to kill"))
        }
        // After the kill: frees only — every worker at once, then the map's free on one thread.
        out += throughput(.postKill, .free, ops: r.postKillFree.freeOps, ns: r.postKillFree.freeNs, workers: spec.threads)
        out += overControl(.postKill, .free, r.postKillFree)
        out += throughput(.drain, .drain, ops: r.drain.freeOps, ns: r.drain.freeNs, workers: 1)
        out += overControl(.drain, .drain, r.drain)
        if let d = r.teardown.destroyNs {
            out.append(row(r.teardown.destroyPhase, .destroy, .latencyUs, Double(d) / 1000, "us"))
        }
        out.append(row(.teardown, .teardown, .latencyUs, Double(r.teardown.teardownNs) / 1000, "us"))
        if let rt = r.crossCoreRoundTripNs {
            out.append(row(.calibration, .pingpong, .roundTripNs, rt, "ns"))
        }
        out.append(row(.teardown, .teardown, .outstanding, Double(r.teardown.outstanding), "objects"))
        return out
    }
}

