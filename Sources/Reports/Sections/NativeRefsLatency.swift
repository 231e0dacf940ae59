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

    static func latencyTable(_ rows: [ResultRow]) -> [ReportSections.Table] {
        let timed = rows.filter { $0.phase == .native && $0.strategy == percpuRef && $0.metric == .p50Ns }
        let threads = Set(timed.map(\.threads)).sorted()
        guard !threads.isEmpty else { return [] }
        var body: [[String]] = []
        // Native first, then the BPF emulations of the same rounds, each with its own object's clock.
        let refs: [(label: String, subject: String, clock: String)] = [
            ("percpu_ref", percpuRef, empty), ("emul. pcpu-ref", emulatedPercpuRef, emulatedControl),
            ("emul. atomic", emulatedAtomic, emulatedControl),
        ]
        for t in threads {
            for ref in refs {
                for (label, op) in [("live", Op.getPutLive), ("killed", Op.getPutKilled)] {
                    let values = latencyMetrics.map { latencyValue(rows, ref.subject, op, t, $0.0) }
                    if values.allSatisfy(\.isEmpty) { continue }
                    body.append([ref.label, label, "\(t)"] + values + [latencyValue(rows, ref.clock, op, t, .p50Ns)])
                }
            }
        }
        let title = "get+put latency in the kernel, ns: bpf_ktime_get_ns around each op, upper bounds of 25 % buckets, "
            + "all blocks merged; clock = the empty step timed the same way in the same object (its own cost, not subtracted); "
            + "emul. = the BPF emulations (strategies.bpf.c's accounting alone), native = lib/percpu-refcount.c through a css"
        return [ReportSections.Table(title: title, header: ["ref", "state", "thr"] + latencyMetrics.map(\.1) + ["clock"], rows: body)]
    }
}
