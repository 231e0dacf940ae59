import Foundation
import Results
import Testing
@testable import Regression

/// Histories that hold runs of two machines (issue 29): one series per case and machine.
struct HistoryMachinesTests {
    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "history-machines-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let fast = MachineIdentity(host: "bench-a", cpuModel: "Intel Xeon Gold 6230 (Cascade Lake)", kernel: "6.1.0-28-amd64")
    static let slow = MachineIdentity(host: "bench-b", cpuModel: "AMD EPYC 7B13 (Zen 3)", kernel: "6.1.0-28-amd64")

    /// A run on `machine` of two cases (ns_per_op and mops), three repetitions with 0.5 % noise.
    func run(_ machine: MachineIdentity, id: String, atomicNs: Double, lazyNs: Double, rng: inout SeededGenerator) -> [ResultRow] {
        var rows: [ResultRow] = []
        for (strategy, ns) in [("atomic", atomicNs), ("lazy", lazyNs)] {
            for rep in 0..<3 {
                let v = ns * (1 + 0.005 * rng.nextGaussian())
                for (metric, value) in [(Metric.nsPerOp, v), (.mops, 1000 / v)] {
                    var row = makeRow(strategy: strategy, workload: "batch", op: .free, repetition: rep, metric: metric,
                                      value: value, runID: id, host: machine.host)
                    row.cpuModel = machine.cpuModel
                    row.kernel = machine.kernel
                    rows.append(row)
                }
            }
        }
        return rows
    }

    /// `commits` commits, one run of each machine per commit, or (`blocks`) all of the fast
    /// machine's runs before the slow one's; the slow machine 1.6x slower; `step(machine, commit)`
    /// multiplies atomic's time.
    func history(commits: Int, runsPerCommit: Int = 1, blocks: Bool = false,
                 step: (MachineIdentity, Int) -> Double = { _, _ in 1 }) throws -> (String, [HistoryStore.Entry]) {
        let dir = temporaryDirectory()
        var rng = SeededGenerator(seed: 29)
        let order: [(MachineIdentity, Int)] = blocks
            ? [Self.fast, Self.slow].flatMap { m in (0..<runsPerCommit).map { (m, $0) } }
            : (0..<runsPerCommit).flatMap { r in [(Self.fast, r), (Self.slow, r)] }
        for c in 0..<commits {
            for (m, r) in order {
                let ns = 7 * (m == Self.slow ? 1.6 : 1) * step(m, c)
                // Run ids sort in filing order: the file names order the runs of one commit.
                let id = String(format: "c%03d-%03d", c, order.firstIndex { $0 == (m, r) }!)
                try HistoryStore.append(run(m, id: id, atomicNs: ns, lazyNs: 4.2 * (m == Self.slow ? 1.6 : 1), rng: &rng),
                                        commit: "commit\(c)", commitDate: Date(timeIntervalSince1970: Double(1000 * c)), to: dir)
            }
        }
        return (dir, try HistoryStore.load(directory: dir))
    }

    @Test func aMachineSwitchWithoutACodeChangeIsNoChangePoint() throws {
        // The history: 12 runs of one commit, 6 from the fast machine, then 6 from the slow one.
        let (dir, entries) = try history(commits: 1, runsPerCommit: 6, blocks: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try HistoryReport(entries: entries, directory: dir)
        #expect(report.machines.map(\.name) == ["bench-a", "bench-b"])
        #expect(report.machines.map(\.runs) == [6, 6])
        #expect(report.series.count == 8)
        #expect(report.series.allSatisfy { $0.points.count == 6 && $0.changePoints.isEmpty })
        // The same runs as one machine: the switch is a change point of every case (what the key without machine did).
        let merged = entries.map { e -> HistoryStore.Entry in
            var e = e
            e.rows = e.rows.map { r in var r = r; r.row.host = "bench-a"; r.row.cpuModel = Self.fast.cpuModel; return r }
            return e
        }
        let mixed = try HistoryReport(entries: merged, directory: dir)
        #expect(mixed.series.count == 4)
        #expect(mixed.series.allSatisfy { $0.changePoints.map(\.index) == [6] })
        let text = report.rendered(as: .txt)
        #expect(text.contains("2 machines: bench-a (Intel Xeon Gold 6230 (Cascade Lake), kernel 6.1.0-28-amd64), 6 runs; bench-b"))
        #expect(text.contains("\n0 of 4 case(s) with change points on bench-a; 0 of 4 on bench-b\n"))
    }

    @Test func alternatingMachinesCompareFirstAndLastOnOneMachine() throws {
        let (dir, entries) = try history(commits: 10)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try HistoryReport(entries: entries, directory: dir, caseFilter: ["atomic/batch/live/free/t1/64B/ns_per_op"])
        #expect(report.series.map(\.machine) == [Self.fast, Self.slow])
        for s in report.series {
            let expected = s.machine == Self.slow ? 11.2 : 7
            #expect(s.points.count == 10)
            #expect(s.points.allSatisfy { abs($0.value / expected - 1) < 0.03 })
            #expect(s.changePoints.isEmpty)
        }
    }

    @Test func aStepOnOneMachineIsFoundOnThatMachineOnly() throws {
        let (dir, entries) = try history(commits: 30) { m, c in m == Self.fast && c >= 15 ? 1.10 : 1 }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try HistoryReport(entries: entries, directory: dir)
        let flagged = report.series.filter { !$0.changePoints.isEmpty }
        #expect(flagged.map(\.machine) == [Self.fast, Self.fast])
        #expect(flagged.map(\.key.strategy) == ["atomic", "atomic"])
        #expect(flagged.allSatisfy { $0.changePoints.map(\.index) == [15] })
        #expect(flagged.allSatisfy { abs($0.changePoints[0].stats.magnitude - 0.10) < 0.02 })
        #expect(report.rendered(as: .txt).contains("commit15 +10."))
        #expect(report.rendered(as: .csv).contains("\nchange,atomic,batch,live,free,1,64,ns_per_op,ns,15,commit15,"))
    }

    @Test func hostSelectsMachinesByNameOrHost() throws {
        let (dir, entries) = try history(commits: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let slowOnly = try HistoryReport(entries: entries, directory: dir, machineFilter: ["bench-b"])
        #expect(slowOnly.machines.map(\.identity) == [Self.slow])
        #expect(slowOnly.series.allSatisfy { $0.machine == Self.slow })
        #expect(slowOnly.rendered(as: .txt).contains("\nmachine: bench-b (AMD EPYC 7B13 (Zen 3), kernel 6.1.0-28-amd64), 3 runs\n"))
        #expect(throws: HistoryMachineFilterError.self) {
            _ = try HistoryReport(entries: entries, directory: dir, machineFilter: ["bench-a", "bench-c"])
        }
    }

    @Test func machinesSharingAHostAreNamedApart() {
        let upgraded = MachineIdentity(host: "bench-a", cpuModel: Self.fast.cpuModel, kernel: "6.12.9-amd64")
        let names = MachineIdentity.names([Self.fast, upgraded, Self.slow, Self.fast])
        #expect(names.count == 3)
        #expect(names[Self.slow] == "bench-b")
        // FNV-1a: the same name in every process, on every machine.
        #expect(names[Self.fast] == "bench-a-\(Self.fast.shortHash)")
        #expect(Self.fast.shortHash == "cc58c2")
        #expect(names[upgraded] != names[Self.fast] && names[upgraded]!.hasPrefix("bench-a-"))
        #expect(MachineIdentity.names([MachineIdentity(host: "", cpuModel: "x", kernel: "y")]).values.first!.hasPrefix("unnamed-"))
    }

    /// A single-machine history prints as it did before machines, plus the line that names it.
    @Test func aSingleMachineHistoryReadsAsBefore() throws {
        let entries = ["aaaaaaaaaaaa", "bbbbbbbbbbbb"].enumerated().map { i, c in
            HistoryStore.Entry(file: "f\(i)", commit: c, commitDate: "2026120\(i + 1)T195800Z",
                               rows: (0..<3).map { r in
                                   LocatedRow(line: r + 2, row: makeRow(repetition: r, metric: .nsPerOp, value: Double(4 + i), runID: "r\(i)"))
                               })
        }
        let text = try HistoryReport(entries: entries, directory: "h").rendered(as: .txt)
        #expect(text == """
            history: h
            machine: host-a (Test CPU, kernel 6.8.0), 2 runs
            E-Divisive means, t-test p ≤ 0.001, window 50, min magnitude 0.0 (as Apache Otava)

            case                          metric     runs  commits  first   last  change points
            ----------------------------  ---------  ----  -------  -----  -----  -------------
            atomic/pair/live/pair/t1/64B  ns_per_op     2        2  4.000  5.000

            0 of 1 case(s) with change points

            """)
    }
}
