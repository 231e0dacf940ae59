import Foundation
import Platform
import Reports
import Results
import Testing
@testable import Runner

/// The kernel subjects through the same runner as the model: same rows, same phases, the
/// kernel's teardown, n/a where the kernel has no equivalent. Runs here and in CI (root, BTF,
/// clang-19, bpftool); MEMALLOC_SKIP_KERNEL_TESTS=1 marks a machine that cannot.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MEMALLOC_SKIP_KERNEL_TESTS"] != "1"))
struct KernelSubjectRunTests {
    @Test func kernelRowsBesideTheModel() throws {
        let topology = Topology.current()
        let cpus = Array(topology.cpus.map(\.id).prefix(2))
        let plan = Plan(subjects: [.strategy(.global), .kernel(.kernel), .kernel(.kernelHtab), .kernel(.kernelHarness)],
                        workloads: [.pair, .batch, .remote, .kptrXchg, .larson], threads: cpus.count > 1 ? [1, 2] : [1], cpus: cpus,
                        sizes: [64],
                        settings: RunSettings(durationNs: 2_000_000, warmupNs: 500_000, repetitions: 2, latency: false, mapSlots: 512, seed: 7),
                        topology: topology)
        let rows = try BenchRunner(plan: plan, context: RunContext.detect(topology: topology, command: "test"), quiet: true).run().rows
        func live(_ s: String, _ w: String, _ op: Op) -> [ResultRow] {
            rows.filter { $0.strategy == s && $0.workload == w && $0.phase == .live && $0.op == op && $0.metric == .nsPerOp && $0.threads == 1 }
        }
        for (s, w, op): (String, String, Op) in [("kernel", "pair", .pair), ("kernel", "batch", .alloc), ("kernel", "batch", .free), ("kernel", "kptr-xchg", .pair),
                           ("kernel-htab", "pair", .pair), ("kernel-htab", "batch", .free), ("kernel-harness", "pair", .pair)] {
            let r = live(s, w, op)
            #expect(r.count == 2 && r.allSatisfy { ($0.value ?? 0) > 0 }, "\(s) \(w) \(op) has no measured rows")
        }
        // No larson program, no kptr slots in a hash map: those cases are not in the matrix.
        #expect(!rows.contains { $0.strategy.hasPrefix("kernel") && $0.workload == "larson" })
        #expect(!rows.contains { $0.strategy == "kernel-htab" && $0.workload == "kptr-xchg" })
        // Teardown as the kernel sees it: a real latency for the maps, n/a for the harness.
        let teardown = rows.filter { $0.strategy == "kernel" && $0.op == .teardown && $0.metric == .latencyUs }
        #expect(!teardown.isEmpty && teardown.allSatisfy { ($0.value ?? 0) > 0 })
        #expect(rows.contains { $0.strategy == "kernel-harness" && $0.op == .teardown && $0.metric == .latencyUs && $0.value == nil })
        // The kernel has no kill: an n/a row with a reason, never absent.
        let post = rows.filter { $0.strategy == "kernel" && $0.phase == .postKill }
        #expect(!post.isEmpty && post.allSatisfy { $0.value == nil && $0.unit.hasPrefix("n/a: ") })
        if cpus.count > 1 {
            let remote = rows.filter { $0.strategy == "kernel" && $0.workload == "remote" && $0.threads == 2 && $0.phase == .live
                && $0.metric == .nsPerOp }
            #expect(Set(remote.map(\.op)) == [.pair, .alloc, .free])
            // One worker cannot run remote: n/a with the reason.
            #expect(rows.contains { $0.strategy == "kernel" && $0.workload == "remote" && $0.threads == 1 && $0.unit.hasPrefix("n/a: ") })
        }
        // The report's model-vs-kernel table is built from these rows.
        let sections = ReportSections(rows: rows)
        #expect(sections.tables.first?.title.hasPrefix("model vs kernel") == true)
    }
}
