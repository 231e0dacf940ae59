import Foundation
import Results
import Statistics

/// `bench history`: each case's value run by run (the median of the run's repetitions), in
/// commit order, with the change points E-Divisive finds in that series. A series is one case on
/// one machine: runs of a 1.6x slower machine filed after a fast one's would otherwise make a
/// change point of every case where nothing changed but the machine.
public struct HistoryReport: Equatable, Sendable {
    public struct Point: Equatable, Sendable {
        public var commit: String
        public var commitDate: String
        public var file: String
        public var value: Double
    }

    /// A machine of the report: who it is, its short name, and how many of its runs were read.
    public struct Machine: Equatable, Sendable {
        public var identity: MachineIdentity
        public var name: String
        public var runs: Int
    }

    public struct Series: Equatable, Sendable {
        public var machine: MachineIdentity
        public var key: ResultRow.CaseKey
        public var unit: String
        public var points: [Point]
        public var changePoints: [EDivisive.ChangePoint]
        public var commits: [String] {
            var seen: [String] = []
            for p in points where seen.last != p.commit { seen.append(p.commit) }
            return seen
        }
    }

    /// The key of a series: one case on one machine.
    struct SeriesKey: Hashable {
        var machine: MachineIdentity
        var key: ResultRow.CaseKey
    }

    public var directory: String
    public var detector: EDivisive
    /// The machines shown, by name.
    public var machines: [Machine]
    /// Machine by machine (in `machines` order), each machine's cases in order of first appearance.
    public var series: [Series]
    /// True when `--case` selected the series: show each trend in full.
    public var detailed: Bool
    /// Runs per point: 1 gives Otava's series (one point per run); N > 1 makes each point the
    /// median of N consecutive runs of one commit, so one run caught in a noisy episode (a 20–40 %
    /// drop on a shared VM) cannot sink the t-test, which assumes roughly normal points.
    public var runsPerPoint: Int

    /// `machineFilter` names machines (their short name or host). Throws `ResultsCSVError` for an
    /// unreadable history, `AbCaseFilterError` when `caseFilter` matches nothing and
    /// `HistoryMachineFilterError` when a name of `machineFilter` is no machine of the history.
    public init(entries: [HistoryStore.Entry], directory: String, caseFilter: [String] = [],
                machineFilter: [String] = [], detector: EDivisive = EDivisive(), runsPerPoint: Int = 1) throws {
        precondition(runsPerPoint >= 1)
        self.directory = directory
        self.detector = detector
        self.runsPerPoint = runsPerPoint
        self.detailed = !caseFilter.isEmpty
        let names = MachineIdentity.names(entries.flatMap(\.machines))
        let selected = try Self.selected(names, by: machineFilter)
        var runs: [MachineIdentity: Int] = [:]
        var points: [SeriesKey: [Point]] = [:]
        var units: [SeriesKey: String] = [:]
        var order: [SeriesKey] = []
        for entry in entries {
            for (machine, rows) in Self.byMachine(entry.rows) where selected.contains(machine) {
                runs[machine, default: 0] += 1
                let grouped = try CaseSamples.group(rows, file: entry.file)
                for key in grouped.order where !key.metric.unitIsEvidence {
                    guard caseFilter.isEmpty || caseFilter.contains(where: { key.description.contains($0) }) else { continue }
                    let samples = grouped.samples[key]!
                    guard let median = samples.summary.median else { continue }
                    let seriesKey = SeriesKey(machine: machine, key: key)
                    if points[seriesKey] == nil { order.append(seriesKey) }
                    points[seriesKey, default: []].append(Point(commit: entry.commit, commitDate: entry.commitDate,
                                                                file: entry.file, value: median))
                    if units[seriesKey] == nil { units[seriesKey] = samples.unit ?? "" }
                }
            }
        }
        if order.isEmpty {
            if !caseFilter.isEmpty { throw AbCaseFilterError(filter: caseFilter) }
            throw ResultsCSVError(file: directory, line: nil, reason: "no runs with values in the history")
        }
        // A machine none of whose cases is shown (`--case`) is left out of the header too.
        let shown = Set(order.map(\.machine))
        machines = runs.keys.filter(shown.contains).map { Machine(identity: $0, name: names[$0]!, runs: runs[$0]!) }.sorted { $0.name < $1.name }
        let rank = Dictionary(uniqueKeysWithValues: machines.enumerated().map { ($1.identity, $0) })
        series = order.enumerated().sorted { (rank[$0.element.machine]!, $0.offset) < (rank[$1.element.machine]!, $1.offset) }
            .map { _, k in
                let p = Self.grouped(points[k]!, runsPerPoint: runsPerPoint)
                return Series(machine: k.machine, key: k.key, unit: units[k]!, points: p,
                              changePoints: detector.changePoints(p.map(\.value)))
            }
    }

    /// The short name of a machine of the report.
    public func name(of machine: MachineIdentity) -> String {
        machines.first { $0.identity == machine }?.name ?? machine.host
    }

    /// The machines `filter` names (by short name or host; all when empty).
    static func selected(_ names: [MachineIdentity: String], by filter: [String]) throws -> Set<MachineIdentity> {
        guard !filter.isEmpty else { return Set(names.keys) }
        if let unknown = filter.first(where: { item in !names.contains { $1 == item || $0.host == item } }) {
            throw HistoryMachineFilterError(name: unknown, known: names.values.sorted())
        }
        return Set(names.keys.filter { m in filter.contains { $0 == names[m]! || $0 == m.host } })
    }

    /// A run's rows machine by machine, first seen first (one machine for every run `bench` writes).
    static func byMachine(_ rows: [LocatedRow]) -> [(MachineIdentity, [LocatedRow])] {
        var order: [MachineIdentity] = []
        var parts: [MachineIdentity: [LocatedRow]] = [:]
        for r in rows {
            let m = MachineIdentity(r.row)
            if parts[m] == nil { order.append(m) }
            parts[m, default: []].append(r)
        }
        return order.map { ($0, parts[$0]!) }
    }

    /// Consecutive runs of one commit, `runsPerPoint` at a time (the last group of a commit may be
    /// smaller), each group one point: the median of its runs' values, named by its first file.
    static func grouped(_ points: [Point], runsPerPoint: Int) -> [Point] {
        guard runsPerPoint > 1 else { return points }
        var result: [Point] = []
        var start = 0
        while start < points.count {
            var end = start + 1
            while end < points.count && end - start < runsPerPoint && points[end].commit == points[start].commit { end += 1 }
            var point = points[start]
            point.value = SampleSummary.median(points[start..<end].map(\.value))!
            result.append(point)
            start = end
        }
        return result
    }

    static func short(_ commit: String) -> String {
        commit.count > 12 && !commit.contains("+") ? String(commit.prefix(12)) : commit
    }

    /// `20261201T195800Z` → `2026-12-01 19:58`.
    static func displayDate(_ stamp: String) -> String {
        let c = Array(stamp)
        guard c.count == 16 else { return stamp }
        return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8])) \(String(c[9..<11])):\(String(c[11..<13]))"
    }
}

/// `--host` named a machine the history does not hold.
public struct HistoryMachineFilterError: Error, CustomStringConvertible, Sendable {
    public var name: String
    public var known: [String]
    public var description: String {
        "no machine of the history is named \(name) (its machines: \(known.joined(separator: ", ")))"
    }
}
