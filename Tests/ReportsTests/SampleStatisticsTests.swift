import Reports
import Results
import Testing
@testable import Statistics

@Suite struct SampleStatisticsTests {
    @Test func quartilesInterpolateLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 75]) == [2, 4]; [1, 2, 3, 4] → [1.75, 3.25]
        let a = SampleStatistics([10, 1, 3, 2, 4])!
        #expect(a.q1 == 2 && a.q3 == 4 && a.iqr == 2)
        let b = SampleStatistics([4, 3, 2, 1])!
        #expect(b.q1 == 1.75 && b.q3 == 3.25)
    }

    @Test func knownValues() {
        let s = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])!
        #expect(s.mean == 5)
        #expect(abs(s.stddev - 2.138089935) < 1e-6)  // sample (n−1) standard deviation
        #expect(s.median == 4.5)
        #expect(SampleStatistics([3])!.stddev == 0)
        #expect(SampleStatistics([]) == nil)
    }
}

@Suite struct HostEpisodesTests {
    func calibration(_ values: [Double]) -> [ResultRow] {
        values.enumerated().map { i, v in
            makeRow(strategy: "global", workload: "pair", phase: .calibration, op: .pingpong, threads: 2,
                    repetition: i, metric: .roundTripNs, value: v)
        }
    }

    @Test func flagsRepetitionsMoreThanTwiceTheMedian() {
        let e = HostEpisodes(rows: calibration([60, 62, 58, 430, 61]))
        #expect(e.medianNs == 61)
        #expect(e.flagged == ["global/pair 2 thr #3"])
        #expect(e.findings.first?.contains("1 of 5 repetitions") == true)
    }

    @Test func aQuietHostIsSaidToBeQuiet() {
        let e = HostEpisodes(rows: calibration([60, 62, 58, 119, 61]))
        #expect(e.flagged.isEmpty)
        #expect(e.findings.first?.contains("none was more than 2x") == true)
    }
}
