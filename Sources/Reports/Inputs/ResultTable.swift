import Results
import Statistics
/// Repetitions of one measured quantity folded into statistics: the cells of every report.
public struct ResultCell: Sendable {
    public let key: ResultRow.CaseKey
    public let stats: SampleStatistics?
    public let unit: String
    /// Set when every repetition was `n/a`: the reason.
    public let missingReason: String?

    public static func format(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1000 { return String(Int(v.rounded())) }
        if a >= 100 { return String(format1(v, 1)) }
        if a >= 10 { return String(format1(v, 2)) }
        return String(format1(v, 3))
    }

    static func format1(_ v: Double, _ digits: Int) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (v * p).rounded() / p
        var s = "\(r)"
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        }
        return s
    }
}

/// All cells of a run, addressable by case key, in first-seen order.
public struct ResultTable: Sendable {
    public private(set) var cells: [ResultRow.CaseKey: ResultCell] = [:]
    public private(set) var order: [ResultRow.CaseKey] = []

    public init(rows: [ResultRow]) {
        var values: [ResultRow.CaseKey: [Double]] = [:]
        var units: [ResultRow.CaseKey: String] = [:]
        var reasons: [ResultRow.CaseKey: String] = [:]
        for r in rows {
            let k = r.caseKey
            if values[k] == nil && reasons[k] == nil { order.append(k) }
            if let v = r.value { values[k, default: []].append(v); units[k] = r.unit } else { reasons[k] = r.unit }
        }
        for k in order {
            let vs = values[k] ?? []
            cells[k] = ResultCell(key: k, stats: SampleStatistics(vs), unit: units[k] ?? "",
                                  missingReason: vs.isEmpty ? reasons[k] : nil)
        }
    }

    public func cell(_ strategy: String, _ workload: String, _ phase: Phase, _ op: Op, threads: Int, size: Int,
                     metric: Metric) -> ResultCell? {
        cells[.init(strategy: strategy, workload: workload, phase: phase, op: op, threads: threads, size: size, metric: metric)]
    }

    /// Distinct values of a key field, in first-seen order.
    public func distinct<T: Hashable>(_ f: (ResultRow.CaseKey) -> T) -> [T] {
        var seen = Set<T>()
        var out: [T] = []
        for k in order where seen.insert(f(k)).inserted { out.append(f(k)) }
        return out
    }
}
