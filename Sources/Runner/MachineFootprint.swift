import Foundation
import KernelAllocator
import Platform
import Results
import Strategies

/// The cost of owning an allocator on this machine, as a step of `bench [run]`.
public enum MachineFootprint {
    /// This machine's rows for a default run (`bench [run]`): the model's cost of owning an
    /// allocator for the lifetime strategies measured, on this machine's topology, and — when
    /// the run has kernel subjects — the kernel's map creation and memcg rows. About a second.
    public static func rows(plan: Plan, context: RunContext, quiet: Bool) -> (rows: [ResultRow], notes: [String]) {
        var settings = OwnershipMeasurement.Settings()
        settings.designs = plan.subjects.compactMap { if case .strategy(let k) = $0 { k } else { nil } }
        settings.objectSize = plan.sizes[0]
        settings.allocatorCounts = [1, 100]
        let hasKernel = plan.subjects.contains { if case .kernel = $0 { true } else { false } }
        guard !settings.designs.isEmpty || hasKernel else { return ([], []) }
        if !quiet { fputs("footprint: the cost of owning an allocator on this machine (bench footprint for injected topologies)\n", stderr) }
        var measurement = OwnershipMeasurement(template: context.rowTemplate, settings: settings)
        var rows: [ResultRow] = []
        var notes: [String] = []
        let machine = plan.topology
        let start = MonotonicClock.nanoseconds()
        do {
            rows += try measurement.modelRows(topology: machine, cpus: context.onlineCPUs)
            // The machines users have, injected (model only): the report's 64 and 256 CPU rows.
            var injected = measurement
            injected.settings.allocatorCounts = []
            for t in [Topology.synthetic(cpus: 64, nodes: 4), .synthetic(cpus: 256, nodes: 8)] where t.cpus.count != machine.cpus.count {
                rows += try injected.modelRows(topology: t, cpus: CPUList.format(t.cpus.map(\.id)))
            }
        } catch {
            notes.append("cost of owning an allocator not measured: \(error)")
        }
        if hasKernel {
            rows += measurement.kernelRows(topology: machine, cpus: context.onlineCPUs, settings: .init(),
                                           build: BPFBuild(environment: KernelEnvironment.current()))
        }
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        notes.append(String(format: "cost of owning an allocator measured in %.1f s (this machine; injected 64 and 256 CPUs, model only; --no-footprint skips it)", seconds))
        return (rows, notes + measurement.notes)
    }
}
