import ArgumentParser
import KernelAllocator
import Results
import Runner
import Scenarios
import Strategies
import SystemAllocators

/// `bench list`: every strategy, workload and metric, one line each.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the strategies, workloads and metrics, one line each.")

    func run() throws {
        print("Strategies (lifetime policies over the allocator core):")
        for k in StrategyKind.allCases { print("  \(k.rawValue.padded(12)) \(k.summary)") }
        print("References:")
        let available = SystemAllocator.available()
        for kind in SystemAllocatorKind.allCases {
            let state = available.allocator(kind) != nil ? "" : " [not installed: apt-get install \(kind.debianPackage)]"
            print("  \(kind.rawValue.padded(12)) system allocator loaded at run time from \(kind.soname)\(state)")
        }
        print("  \("freelist".padded(12)) \(SubjectChoice.freelistSummary)")
        print("  \("noop".padded(12)) \(SubjectChoice.noopSummary)")
        print("Ground truth (the running kernel's bpf_mem_alloc via BPF_PROG_TEST_RUN):")
        let kernelState: String
        do { try KernelEnvironment.current().check(); kernelState = "" } catch { kernelState = " [\(error.cell): \(error.note)]" }
        for k in KernelSubjectKind.allCases { print("  \(k.rawValue.padded(14)) \(k.summary)\(kernelState)") }
        print("Workloads:")
        for w in WorkloadKind.allCases { print("  \(w.rawValue.padded(12)) \(w.summary)") }
        print("Phases: live → kill → post-kill → drain → teardown; then, for kernel subjects, interleaved (the pair time-sliced, drift cancelled)")
        print("Scenarios (bench scenarios; the thread's hazards, verdict per strategy):")
        for s in Scenario.allCases { print("  \(s.rawValue.padded(18)) \(s.title)") }
        print("Metrics:")
        for d in MetricDefinition.catalog { print("  \(d.metric.rawValue.padded(12)) \(d.meaning)") }
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
