import Results
import Statistics
/// Repetitions that ran during a host episode: the cross-core round trip measured just before
/// them (`calibration`/`pingpong`/`round_trip_ns`) was more than twice the run's median. On a
/// shared VM such episodes last seconds to minutes; subjects are interleaved so they spread
/// over all subjects, and tables use medians, but a reader should know they happened.
public struct HostEpisodes: Sendable {
    public static let factor = 2.0
    public let medianNs: Double?
    /// "subject/workload t thr #rep" of every flagged repetition.
    public let flagged: [String]
    public let repetitions: Int

    public init(rows: [ResultRow]) {
        let calibration = rows.filter { $0.metric == .roundTripNs && $0.value != nil }
        repetitions = calibration.count
        let values = calibration.compactMap(\.value).sorted()
        guard !values.isEmpty else {
            medianNs = nil
            flagged = []
            return
        }
        let median = SampleStatistics.quantile(values, 0.5)
        medianNs = median
        flagged = calibration.filter { $0.value! > HostEpisodes.factor * median }
            .map { "\($0.strategy)/\($0.workload) \($0.threads) thr #\($0.repetition)" }
    }

    public var findings: [String] {
        guard let m = medianNs else { return [] }
        let ms = ResultCell.format(m)
        if flagged.isEmpty {
            return ["Host: cross-core round trip \(ms) ns (median) before every repetition; none was more than 2x it."]
        }
        let list = flagged.count <= 6 ? ": " + flagged.joined(separator: ", ") : ""
        return ["Host episodes: \(flagged.count) of \(repetitions) repetitions ran with a cross-core round trip more than 2x the median \(ms) ns\(list)."]
    }
}
