import Results
import Testing
@testable import Reports

/// The "cost of owning an allocator" section: built from `own` rows, ≤ 75 columns, one
/// finding with the numbers, n/a cells with their reason.
@Suite struct OwnershipSectionTests {
    func rows() -> [ResultRow] {
        var out: [ResultRow] = []
        func add(_ s: String, _ w: String, _ op: Op, _ metric: Metric, _ v: Double?, unit: String? = nil) {
            out.append(makeRow(strategy: s, workload: w, phase: .own, op: op, metric: metric, value: v, unit: unit))
        }
        for (w, n) in [("2cpu-1node", 2.0), ("64cpu-4node", 64.0), ("256cpu-8node", 256.0)] {
            for d in ["atomic", "percpu-ref"] {
                add(d, w, .create, .latencyUs, 10 * n)
                add(d, w, .create, .bytesKernel, 13_000 * n)
                add(d, w, .create, .bytesModel, 720_000 * n)
                add(d, w, .pinned, .bytesKernel, 13_300 * n)
                add(d, w, .destroy, .latencyUs, 5 * n)
            }
            add("global", w, .create, .bytesKernel, 0)
            add("global", w, .pinned, .bytesKernel, 0)
            add("global", w, .create, .latencyUs, 0)
            add("percpu-ref", w, .refCreate, .bytesKernel, 8 * n + 56)
        }
        add("kernel-htab", "2cpu-1node", .mapCreate(entries: 1), .latencyUs, 5.2)
        add("kernel-array", "2cpu-1node", .mapCreate(entries: 1), .latencyUs, 2.1)
        add("kernel-htab", "2cpu-1node", .createInsideFillOutside, .bytesMemcg, 4_456_448)
        add("kernel-htab", "2cpu-1node", .createInsideFillOutside, .bytesObjects, 4_194_304)
        add("kernel", "2cpu-1node", .objNewInside, .bytesMemcg, 0)
        add("kernel", "2cpu-1node", .objNewInside, .bytesObjects, 3_145_728)
        add("kernel-htab", "2cpu-1node", .createOutsideFillInside, .bytesMemcg, nil, unit: "n/a: no memory cgroup controller")
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
