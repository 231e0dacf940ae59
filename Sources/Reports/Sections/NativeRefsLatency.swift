import Results
/// The kernel's own percpu_ref get+put timed op by op (bpf_ktime_get_ns around each, in the
/// kernel), live against killed: the thread's "will kill performance" in tails, not only in
/// averages. Values are upper bounds of 25 %-wide buckets; the empty step timed the same way is
/// the clock's own cost, stated beside and not subtracted (a bucket bound minus a bucket bound
/// is no bound).
extension NativeRefsSection {
    static let latencyMetrics: [(Metric, String)] = [(.p50Ns, "p50"), (.p99Ns, "p99"), (.p999Ns, "p99.9"), (.maxNs, "max")]

    static func latencyValue(_ rows: [ResultRow], _ subject: String, _ op: Op, _ threads: Int, _ metric: Metric) -> String {
        guard let r = rows.first(where: { $0.phase == .native && $0.strategy == subject && $0.op == op && $0.threads == threads && $0.metric == metric })
        else { return "" }
        return r.value.map { "≤" + ResultCell.format($0) } ?? ">115µs"
    }

    /// Whether the op's p50 is no more than its object's empty step timed the same way: then the
    /// clock's own cost swamps the op, and its p50 says nothing about the op.
    static func clockSwamps(_ rows: [ResultRow], _ subject: String, clock: String, _ op: Op, _ threads: Int) -> Bool {
        func p50(_ s: String) -> Double? {
            rows.first { $0.phase == .native && $0.strategy == s && $0.op == op && $0.threads == threads && $0.metric == .p50Ns }?.value
        }
        guard let v = p50(subject), let c = p50(clock) else { return false }
        return v <= c
    }

    static func latencyTable(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let timed = rows.filter { $0.phase == .native && $0.strategy == percpuRef && $0.metric == .p50Ns }
        let threads = Set(timed.map(\.threads)).sorted()
        guard !threads.isEmpty else { return [] }
        var body: [[String]] = []
        // Native first, then the BPF emulations of the same rounds, each with its own object's clock.
        // Then the shared refcount_t (no kill: "shared", acquire + drop on one object).
        let states: [(String, Op)] = [("live", .getPutLive), ("killed", .getPutKilled)]
        let refs: [(label: String, subject: String, clock: String, states: [(String, Op)])] = [
            ("percpu_ref", percpuRef, empty, states), ("emul. pcpu-ref", emulatedPercpuRef, emulatedControl, states),
            ("emul. atomic", emulatedAtomic, emulatedControl, states), ("refcount_t", refcount, empty, [("shared", .sharedGetPut)]),
        ]
        for t in threads {
            for ref in refs {
                for (label, op) in ref.states {
                    var values = latencyMetrics.map { latencyValue(rows, ref.subject, op, t, $0.0) }
                    if values.allSatisfy(\.isEmpty) { continue }
                    if clockSwamps(rows, ref.subject, clock: ref.clock, op, t) { values[0] += "*" }
                    body.append([ref.label, label, "\(t)"] + values + [latencyValue(rows, ref.clock, op, t, .p50Ns)])
                }
            }
        }
        let title = "get+put latency in the kernel, ns: bpf_ktime_get_ns around each op, upper bounds of 25 % buckets, "
            + "all blocks merged; clock = the empty step timed the same way in the same object (its own cost, not subtracted); "
            + "emul. = the BPF emulations (strategies.bpf.c's accounting alone), native = lib/percpu-refcount.c through a css; "
            + "refcount_t = bpf_refcount_acquire + bpf_obj_drop on one object every CPU shares; "
            + "* = p50 within the clock's own bucket: the op is below what this timing resolves"
        return [ReportSections.Table(title: title, header: ["ref", "state", "thr"] + latencyMetrics.map(\.1) + ["clock"], rows: body)]
    }

    /// The emulations' op around the real allocator, timed apart in the kernel: bpf_obj_new + get
    /// (live) and bpf_obj_drop + put (live and after the policy's kill); lazy's rows are the
    /// allocator alone in the same object (its get and put do nothing), the control.
    static func pairLatencyTable(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let threads = Set(rows.filter { $0.phase == .native && $0.op == .dropPutLive && $0.metric == .p50Ns }.map(\.threads)).sorted()
        guard !threads.isEmpty else { return [] }
        let refs = [("lazy (alloc only)", emulatedControl), ("emul. pcpu-ref", emulatedPercpuRef), ("emul. atomic", emulatedAtomic)]
        let ops: [(String, Op)] = [("new+get", .newGetLive), ("drop+put", .dropPutLive), ("drop+put killed", .dropPutKilled)]
        var body: [[String]] = []
        for t in threads {
            for (opLabel, op) in ops {
                for (label, subject) in refs {
                    let values = latencyMetrics.map { latencyValue(rows, subject, op, t, $0.0) }
                    if values.allSatisfy(\.isEmpty) { continue }
                    body.append([label, opLabel, "\(t)"] + values)
                }
            }
        }
        let title = "the emulations around bpf_global_ma, ns: bpf_obj_new + get and bpf_obj_drop + put timed apart in the kernel "
            + "(bpf_ktime_get_ns, upper bounds of 25 % buckets, all blocks merged); lazy = the allocator alone in the same object"
        return [ReportSections.Table(title: title, header: ["ref", "op", "thr"] + latencyMetrics.map(\.1), rows: body)]
    }
}
