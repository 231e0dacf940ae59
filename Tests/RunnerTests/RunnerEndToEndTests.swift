import Platform
import Reports
import Results
import Testing
@testable import Runner

/// Small real runs through every phase: rows complete, no objects lost, n/a rows carry reasons.
@Suite(.serialized) struct RunnerEndToEndTests {
    func plan(_ subjects: [SubjectChoice], workloads: [WorkloadKind] = WorkloadKind.allCases, latency: Bool = false) -> Plan {
        let topology = Topology.current()
        let cpus = Array(topology.cpus.map(\.id).prefix(2))
        return Plan(subjects: subjects, workloads: workloads, threads: cpus.count > 1 ? [1, 2] : [1], cpus: cpus, sizes: [64],
                    settings: RunSettings(durationNs: 2_000_000, warmupNs: 500_000, repetitions: 2, latency: latency,
                                          mapSlots: 4096, seed: 7),
                    topology: topology)
    }

    func run(_ p: Plan) throws -> [ResultRow] {
        let context = RunContext.detect(topology: p.topology, command: "test")
        return try BenchRunner(plan: p, context: context, quiet: true).run().rows
    }

    @Test func everyStrategyRunsEveryWorkloadAndEndsClean() throws {
        let rows = try run(plan([.strategy(.atomic), .strategy(.percpuRef), .strategy(.lazy), .strategy(.kmemCache),
                                 .strategy(.global), .strategy(.hybrid)]))
        // Every repetition ends with zero outstanding objects (the runner throws otherwise).
        let outstanding = rows.filter { $0.metric == .outstanding }
        #expect(!outstanding.isEmpty)
        #expect(outstanding.allSatisfy { $0.value == 0 })
        // Live pair throughput measured for every strategy.
        for s in ["atomic", "percpu-ref", "lazy", "kmem-cache", "global", "hybrid"] {
            let live = rows.filter { $0.strategy == s && $0.workload == "pair" && $0.phase == .live && $0.metric == .mops }
            #expect(!live.isEmpty && live.allSatisfy { ($0.value ?? 0) > 0 }, "\(s) has no live pair throughput")
        }
        // percpu-ref: the kill (its caller's cost), then the queued switch served off the
        // measured path: grace period, fold, confirmation; lazy: a walk over every map value.
        for op in [Op.kill, .grace, .fold, .confirm] {
            #expect(rows.contains { $0.strategy == "percpu-ref" && $0.phase == .kill && $0.op == op && $0.value != nil }, "\(op)")
        }
        #expect(rows.contains { $0.strategy == "lazy" && $0.op == .walk && $0.metric == .mapValues && $0.value == 4096 })
        // After the kill nothing is allocated, by any design: only frees are measured there.
        #expect(!rows.contains { $0.phase == .postKill && $0.op != .free })
        for s in ["atomic", "percpu-ref", "lazy", "kmem-cache", "global", "hybrid"] {
            for t in Set(rows.map(\.threads)) {
                // Concurrent frees: each worker freed its half of its stash (4096 slots: at least
                // 8 chunks of 128 per phase, so one interrupted chunk is left out, not the phase).
                let post = rows.filter { $0.strategy == s && $0.workload == "pair" && $0.phase == .postKill && $0.threads == t
                    && $0.metric == .nsPerOp }
                #expect(post.count == 2 && post.allSatisfy { ($0.value ?? 0) > 0 }, "\(s) \(t) thr post-kill frees")
                // The map's free: one thread, the rest.
                let drain = rows.filter { $0.strategy == s && $0.workload == "pair" && $0.phase == .drain && $0.threads == t
                    && $0.metric == .mops }
                #expect(drain.count == 2 && drain.allSatisfy { ($0.value ?? 0) > 0 }, "\(s) \(t) thr map free")
                // Both after-kill phases carry their frees over the same chunks' control pass.
                for phase in [Phase.postKill, .drain] {
                    let c = rows.filter { $0.strategy == s && $0.workload == "pair" && $0.phase == phase && $0.threads == t
                        && $0.metric == .overControl }
                    #expect(c.count == 2 && c.allSatisfy { ($0.value ?? 0) > 0.05 && ($0.value ?? 0) < 20 },
                            "\(s) \(t) thr \(phase) over control: \(c.map { $0.value ?? -1 })")
                }
            }
        }
        // The host's calibration rows are in every run.
        #expect(rows.contains { $0.strategy == "host" && $0.metric == .resolutionNs && ($0.value ?? 0) > 0 })
        #expect(rows.contains { $0.strategy == "host" && $0.op == .rmw && $0.threads == 1 && ($0.value ?? 0) > 0 })
    }

    @Test func referencesRunAndHaveNoKill() throws {
        let rows = try run(plan([.freelist, .noop], workloads: [.pair, .batch, .remote]))
        #expect(rows.contains { $0.strategy == "noop" && $0.metric == .nsPerOp && $0.value != nil })
        let kills = rows.filter { $0.strategy == "freelist" && $0.op == .kill }
        #expect(!kills.isEmpty && kills.allSatisfy { $0.value == nil && $0.unit.hasPrefix("n/a") })
        // remote with one worker is impossible and says so.
        #expect(rows.contains { $0.workload == "remote" && $0.threads == 1 && $0.unit == "n/a: remote needs at least 2 workers" })
    }

    @Test func latencyPassProducesOrderedPercentiles() throws {
        let rows = try run(plan([.strategy(.global)], workloads: [.pair], latency: true))
        for op in [Op.alloc, .free] {
            func v(_ m: Metric) -> Double { rows.first { $0.phase == .live && $0.op == op && $0.metric == m && $0.threads == 1 }?.value ?? -1 }
            #expect(v(.p50Ns) >= 0)
            #expect(v(.p50Ns) <= v(.p99Ns))
            #expect(v(.p99Ns) <= v(.maxNs))
        }
    }

    /// After the kill, frees timed alone: percentile rows for the concurrent frees and the
    /// map's free of every strategy with a kill, ordered, and the report's table of them.
    @Test func afterKillPercentilesExistForEveryStrategyWithAKill() throws {
        let rows = try run(plan([.strategy(.atomic), .strategy(.percpuRef), .strategy(.lazy)], workloads: [.pair], latency: true))
        for s in ["atomic", "percpu-ref", "lazy"] {
            for (phase, op) in [(Phase.postKill, Op.free), (.drain, .drain)] {
                func v(_ m: Metric) -> Double? { rows.first { $0.strategy == s && $0.phase == phase && $0.op == op && $0.metric == m && $0.threads == 1 }?.value }
                let p50 = try #require(v(.p50Ns), "\(s) \(phase)"), p99 = try #require(v(.p99Ns)), max = try #require(v(.maxNs))
                #expect(p50 <= p99 && p99 <= max)
            }
        }
        let tables = ReportSections(rows: rows).tables
        #expect(tables.contains { $0.title.hasPrefix("free latency, live vs after the kill") })
    }

    @Test func rowsRoundTripThroughTheCSVAndReportsFitTheMail() throws {
        let rows = try run(plan([.strategy(.atomic), .freelist], workloads: [.pair]))
        let csv = ResultsCSV.encode(rows)
        #expect(try ResultsCSV.decode(csv, file: "mem") == rows)
        let d = RunDescription(runID: "r", command: "bench --strategy atomic,freelist --workload pair", host: "h", cpuModel: "m",
                               cpus: "0-1", nodes: 1, kernel: "k", swift: "6.3", build: "release", commit: "c", timestamp: "t",
                               settings: "s", notes: [])
        let mail = MailReport.render(d, ReportSections(rows: rows))
        #expect(mail.contains("These results show:"))
        for line in mail.split(separator: "\n") { #expect(line.count <= 75, "mail line too long: \(line)") }
    }
}
