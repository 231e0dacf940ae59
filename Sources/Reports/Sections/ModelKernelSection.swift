import Results
/// "Model vs kernel": per workload and op, the model's `global` (the design that landed) beside
/// the running kernel's bpf_global_ma (`kernel`) and a no-prealloc hash map (`kernel-htab`),
/// ns/op medians and their ratio. The kernel harness row (an empty bpf_loop step, the kernel's
/// `noop`) is shown and subtracted in the `k−h` column, as the noop row is for the model.
public enum ModelKernelSection {
    public static let title = "model vs kernel: ns/op (median), ratio kernel/global"

    public static func tables(_ table: ResultTable) -> [ReportSections.Table] {
        let sizes = table.distinct(\.size).sorted()
        let threads = table.distinct(\.threads).sorted()
        var tables: [ReportSections.Table] = []
        for size in sizes {
            func ns(_ s: String, _ w: String, _ op: Op, _ t: Int) -> Double? {
                table.cell(s, w, .live, op, threads: t, size: size, metric: .nsPerOp)?.stats?.median
            }
            var body: [[String]] = []
            for w in ["pair", "batch", "kptr-xchg", "remote"] {
                for op in [Op.pair, .alloc, .free] {
                    for t in threads {
                        let model = ns("global", w, op, t), kernel = ns("kernel", w, op, t), htab = ns("kernel-htab", w, op, t)
                        guard kernel != nil || htab != nil else { continue }
                        let harness = ns("kernel-harness", "pair", .pair, t)
                        func ratio(_ k: Double?) -> String {
                            guard let k, let m = model, m > 0 else { return "" }
                            return ResultCell.format(k / m) + "×"
                        }
                        let net = kernel.flatMap { k in harness.map { ResultCell.format(max(k - $0, 0)) } } ?? ""
                        body.append([op == .pair ? w : "\(w) \(op)", "\(t)", model.map(ResultCell.format) ?? "", kernel.map(ResultCell.format) ?? "n/a", net,
                                     ratio(kernel), htab.map(ResultCell.format) ?? "", ratio(htab)])
                    }
                }
            }
            guard !body.isEmpty else { continue }
            let sizeNote = sizes.count > 1 ? ", \(size) B" : ""
            tables.append(ReportSections.Table(title: title + sizeNote,
                                               header: ["workload", "thr", "global", "kernel", "k−h", "×", "htab", "×"], rows: body))
        }
        return tables
    }
}
