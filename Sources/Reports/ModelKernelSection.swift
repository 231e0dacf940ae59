/// "Model vs kernel": per workload and op, the model's `global` (the design that landed) beside
/// the running kernel's bpf_global_ma (`kernel`) and a no-prealloc hash map (`kernel-htab`),
/// ns/op medians and their ratio. The kernel harness row (an empty bpf_loop step, the kernel's
/// `noop`) is shown and subtracted in the `k−h` column, as the noop row is for the model.
public enum ModelKernelSection {
    public static let title = "model vs kernel: ns/op (median), ratio kernel/global"

    public static func tables(_ table: ResultTable) -> (tables: [ReportSections.Table], findings: [String]) {
        let sizes = table.distinct(\.size).sorted()
        let threads = table.distinct(\.threads).sorted()
        var tables: [ReportSections.Table] = []
        var findings: [String] = []
        for size in sizes {
            func ns(_ s: String, _ w: String, _ op: String, _ t: Int) -> Double? {
                table.cell(s, w, "live", op, threads: t, size: size, metric: "ns_per_op")?.stats?.median
            }
            var body: [[String]] = []
            for w in ["pair", "batch", "kptr-xchg", "remote"] {
                for op in ["pair", "alloc", "free"] {
                    for t in threads {
                        let model = ns("global", w, op, t), kernel = ns("kernel", w, op, t), htab = ns("kernel-htab", w, op, t)
                        guard kernel != nil || htab != nil else { continue }
                        let harness = ns("kernel-harness", "pair", "pair", t)
                        func ratio(_ k: Double?) -> String {
                            guard let k, let m = model, m > 0 else { return "" }
                            return ResultCell.format(k / m) + "×"
                        }
                        let net = kernel.flatMap { k in harness.map { ResultCell.format(max(k - $0, 0)) } } ?? ""
                        body.append([op == "pair" ? w : "\(w) \(op)", "\(t)", model.map(ResultCell.format) ?? "", kernel.map(ResultCell.format) ?? "n/a", net,
                                     ratio(kernel), htab.map(ResultCell.format) ?? "", ratio(htab)])
                    }
                }
            }
            guard !body.isEmpty else { continue }
            let harness = threads.compactMap { t in ns("kernel-harness", "pair", "pair", t).map { "\(ResultCell.format($0)) ns at \(t) thr" } }
            let sizeNote = sizes.count > 1 ? ", \(size) B" : ""
            tables.append(ReportSections.Table(title: title + sizeNote,
                                               header: ["workload", "thr", "global", "kernel", "k−h", "×", "htab", "×"], rows: body))
            if !harness.isEmpty {
                findings.append("The kernel harness (an empty bpf_loop step under BPF_PROG_TEST_RUN) costs \(harness.joined(separator: ", ")); the k−h column subtracts it.")
            }
            if let t = threads.first, let m = ns("global", "pair", "pair", t), let k = ns("kernel", "pair", "pair", t), m > 0 {
                findings.append("The running kernel's bpf_obj_new+bpf_obj_drop pair costs \(ResultCell.format(k)) ns vs the model's global \(ResultCell.format(m)) ns (\(ResultCell.format(k / m))×, \(t) thr\(sizeNote)).")
            }
        }
        return (tables, findings)
    }
}
