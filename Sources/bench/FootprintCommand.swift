import ArgumentParser
import Foundation
import KernelAllocator
import Platform
import Reports
import Results
import Runner
import Strategies

/// `bench footprint`: what owning an allocator costs, per design, on topologies this machine
/// cannot show (injected), and what the running kernel charges for one.
struct FootprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footprint",
        abstract: "The cost of owning an allocator: bytes held per size class, per CPU and in total, init and destroy time, per design, on injected topologies; the kernel's map creation cost and who its memcg charges.",
        discussion: """
            For each design (\(StrategyKind.allCases.map(\.rawValue).joined(separator: ", "))) and each --topology \
            CPUS[:NODES] (injected: no workers, every CPU's caches are created and prefilled from one thread, as \
            bpf_mem_alloc_init does for every possible CPU): the allocator's creation time, its bytes at creation, \
            the bytes one surviving object pins after the allocator map is gone, the destroy; per size class; in the \
            steady state of each workload; N allocators at once (--allocators); percpu_ref's own cost. Bytes come in \
            two currencies: kernel-equivalent (per-CPU list objects at their kmalloc size + one bpf_mem_cache per CPU \
            and class, sizes from this kernel's BTF: what the kernel pays) and model (the 64 KiB slabs the model \
            reserves per CPU and class: what this process pays, not the kernel). Then, unless --no-kernel, this \
            kernel's map creation (no-prealloc hash map, preallocated hash map, array map: time, fdinfo memlock, \
            slabinfo and memcg deltas) and who its memcg charges, read from a child memory cgroup (cgroup v2, else \
            v1; n/a with the reason when there is none). Rows: phase `own`, workload `<N>cpu-<M>node`.
            Exit status: 0 done, 64 usage (an impossible topology: 0 CPUs, more nodes than CPUs, over 4096 CPUs), \
            70 an invariant broke (a destroy that did not return every byte), 73 cannot write (nothing is written).
            """)

    @Option(parsing: .unconditional, help: "Comma-separated injected topologies CPUS[:NODES], e.g. 2,8,64:4,256:8 (CPUs 1…4096, nodes 1…CPUs).")
    var topology = "2:1,8:1,64:4,256:8"

    @OptionGroup var selection: StrategySelection<Designs>

    @Option(parsing: .unconditional, help: "Object size in bytes, 1…4088 (kmem-cache's fixed size; the others' class).")
    var size = 64

    @Option(parsing: .unconditional, help: "Comma-separated counts of allocators created at once, 1…100000.")
    var allocators = "1,100,1000"

    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: "MiB the model may reserve for N allocators at once; larger counts are n/a rows stating the kernel-equivalent (1…1048576).")
    var memoryBudget = 1024

    @Option(parsing: .unconditional, help: "Repetitions of each allocator's life (the time rows; bytes do not vary), 1…1000.")
    var repetitions = 5

    @Flag(name: .customLong("no-kernel"), help: "Skip the running kernel's map creation and memcg rows.")
    var noKernel = false

    @OptionGroup var outputOptions: OutputOptions<Output>

    /// `256:8` → 256 CPUs over 8 nodes; `64` → one node. Impossible shapes are usage errors.
    static func parseTopologies(_ text: String) throws -> [Topology] {
        try OptionList.unique(try OptionList.split(text, what: "topology")).map { spec -> Topology in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, let cpus = Int(parts[0]), let nodes = parts.count == 2 ? Int(parts[1]) : 1 else {
                throw BenchError.usage("invalid topology '\(spec)': CPUS[:NODES], e.g. 256:8")
            }
            guard cpus >= 1 && cpus <= 4096 else { throw BenchError.usage("invalid topology '\(spec)': CPUs must be 1…4096, got \(cpus)") }
            guard nodes >= 1 && nodes <= cpus else {
                throw BenchError.usage("invalid topology '\(spec)': nodes must be 1…\(cpus) (no more nodes than CPUs), got \(nodes)")
            }
            return Topology.synthetic(cpus: cpus, nodes: nodes)
        }
    }

    func run() throws {
        var settings = OwnershipMeasurement.Settings()
        let topologies: [Topology]
        let formats: [ResultFormat]
        do {
            topologies = try Self.parseTopologies(topology)
            settings.designs = selection.strategy.elements
            guard size >= 1 && size <= 4088 else { throw BenchError.usage("invalid size '\(size)': object sizes are 1…4088 bytes") }
            settings.objectSize = size
            guard repetitions >= 1 && repetitions <= 1000 else { throw BenchError.usage("--repetitions must be 1…1000, got \(repetitions)") }
            settings.repetitions = repetitions
            settings.allocatorCounts = OptionList.unique(try OptionList.split(allocators, what: "allocators").map {
                guard let n = Int($0), n >= 1, n <= 100_000 else { throw BenchError.usage("invalid allocator count '\($0)': 1…100000") }
                return n
            })
            guard memoryBudget >= 1 && memoryBudget <= 1 << 20 else { throw BenchError.usage("--memory-budget must be 1…1048576 MiB, got \(memoryBudget)") }
            settings.memoryBudgetBytes = memoryBudget << 20
            formats = outputOptions.formats
            try AtomicFileWriter.prepare(directory: outputOptions.output)
        } catch let e as BenchError {
            e.exit()
        } catch let e as AtomicFileWriter.Failure {
            BenchError(message: e.description, code: SysExit.cantCreate).exit()
        }

        let commandLine = Invocation.commandLine
        let machine = Topology.current()
        let context = RunContext.detect(topology: machine, command: commandLine)
        var measurement = OwnershipMeasurement(template: context.rowTemplate, settings: settings)
        var rows: [ResultRow] = []
        let start = MonotonicClock.nanoseconds()
        // ^C, SIGTERM, SIGHUP: the step in progress ends (its cgroups removed), nothing is written.
        RunInterrupt.install()
        do {
            for t in topologies where !RunInterrupt.isSet {
                if !outputOptions.quiet { fputs("footprint: \(OwnershipMeasurement.label(t)) (injected)\n", stderr) }
                rows += try measurement.modelRows(topology: t, cpus: CPUList.format(t.cpus.map(\.id)))
            }
        } catch {
            BenchError(message: "\(error)", code: SysExit.software).exit()
        }
        if !noKernel && !RunInterrupt.isSet {
            if !outputOptions.quiet { fputs("footprint: the kernel here (\(OwnershipMeasurement.label(machine)))\n", stderr) }
            rows += measurement.kernelRows(topology: machine, cpus: context.onlineCPUs, settings: .init(),
                                           build: BPFBuild(environment: KernelEnvironment.current()))
        }
        if RunInterrupt.isSet { BenchError(message: "interrupted; no files written", code: RunInterrupt.exitCode).exit() }
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        let description = RunDescription(
            context: context, runID: context.runID + "-footprint", settings: "topologies \(topologies.map(OwnershipMeasurement.label).joined(separator: ", ")) (injected), \(size) B objects, "
                + "\(repetitions) repetitions, allocators at once \(allocators), memory budget \(memoryBudget) MiB, "
                + "kernel struct sizes from \(measurement.sizes.source); \(String(format: "%.1f", seconds)) s",
            notes: measurement.notes)
        let sections = ReportSections(rows: rows)
        let mail = MailReport.render(description, sections)
        let base = (outputOptions.output as NSString).appendingPathComponent(description.runID)
        let files = ReportFiles.publish(formats, base: base, description: description, sections: sections, rows: rows, mail: mail)
        StandardOutput.write(mail)
        if !outputOptions.quiet {
            for f in files { fputs("wrote \(f.path)\n", stderr) }
            if formats.contains(.csv) { fputs("plots: scripts/plot \(base).csv\n", stderr) }
        }
        // A signal after the last probe: the files are whole, the status says it came.
        if RunInterrupt.isSet { Foundation.exit(RunInterrupt.exitCode) }
    }
}

extension FootprintCommand {
    /// `bench footprint`'s output defaults: every format.
    enum Output: OutputDefaults {
        static var formats: CommaList<Formats> { .every }
        static let quietHelp = "No progress on stderr."
    }
}
