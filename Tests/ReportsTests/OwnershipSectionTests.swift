import Testing
@testable import Reports

/// The "cost of owning an allocator" section: built from `own` rows, ≤ 75 columns, one
/// finding with the numbers, n/a cells with their reason.
@Suite struct OwnershipSectionTests {
    func rows() -> [ResultRow] {
        var out: [ResultRow] = []
        func add(_ s: String, _ w: String, _ op: String, _ metric: String, _ v: Double?, unit: String? = nil) {
            out.append(makeRow(strategy: s, workload: w, phase: "own", op: op, metric: metric, value: v, unit: unit))
        }
        for (w, n) in [("2cpu-1node", 2.0), ("64cpu-4node", 64.0), ("256cpu-8node", 256.0)] {
            for d in ["atomic", "percpu-ref"] {
                add(d, w, "create", "latency_us", 10 * n)
                add(d, w, "create", "bytes_kernel", 13_000 * n)
                add(d, w, "create", "bytes_model", 720_000 * n)
                add(d, w, "pinned", "bytes_kernel", 13_300 * n)
                add(d, w, "destroy", "latency_us", 5 * n)
            }
            add("global", w, "create", "bytes_kernel", 0)
            add("global", w, "pinned", "bytes_kernel", 0)
            add("global", w, "create", "latency_us", 0)
            add("percpu-ref", w, "ref-create", "bytes_kernel", 8 * n + 56)
        }
        add("kernel-htab", "2cpu-1node", "create-1", "latency_us", 5.2)
        add("kernel-array", "2cpu-1node", "create-1", "latency_us", 2.1)
        add("kernel-htab", "2cpu-1node", "create-inside-fill-outside", "bytes_memcg", 4_456_448)
        add("kernel-htab", "2cpu-1node", "create-inside-fill-outside", "bytes_objects", 4_194_304)
        add("kernel", "2cpu-1node", "obj-new-inside", "bytes_memcg", 0)
        add("kernel", "2cpu-1node", "obj-new-inside", "bytes_objects", 3_145_728)
        add("kernel-htab", "2cpu-1node", "create-outside-fill-inside", "bytes_memcg", nil, unit: "n/a: no memory cgroup controller")
        return out
    }

    @Test func tablesFitTheMailAndTheFindingStatesTheTradeOff() {
        let sections = ReportSections(rows: rows())
        let d = RunDescription(runID: "r", command: "bench footprint", host: "h", cpuModel: "c", cpus: "0-1", nodes: 1, kernel: "k",
                               swift: "6", build: "release", commit: "abc", timestamp: "t", settings: "s", notes: [])
        let mail = MailReport.render(d, sections)
        #expect(mail.split(separator: "\n").allSatisfy { $0.count <= 75 }, "\(mail)")
        #expect(mail.contains("Cost of owning an allocator"))
        let finding = sections.findings.joined(separator: "\n")
        // 256 × 13 300 B = 3.247 MiB pinned through one object; percpu_ref adds 2104 B.
        #expect(finding.contains("3.247 MiB at 256 CPUs"), "\(finding)")
        #expect(finding.contains("global pins nothing per program"))
        #expect(finding.contains("its percpu_ref adds 2.055 KiB"))
        #expect(finding.contains("charged it 4.250 MiB for 4.000 MiB"))
        #expect(mail.contains("not charged"))
        #expect(mail.contains("no memory cgroup controller"))
        // The performance tables and claims ignore the own rows.
        #expect(!mail.contains("Live pair"))
    }

    @Test func noOwnRowsNoSection() {
        let s = OwnershipSection(rows: [makeRow(value: 1)])
        #expect(s.tables.isEmpty && s.findings.isEmpty)
    }
}
