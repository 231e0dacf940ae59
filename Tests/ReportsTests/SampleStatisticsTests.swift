import Reports
import Testing

@Suite struct SampleStatisticsTests {
    @Test func knownValues() {
        let s = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])!
        #expect(s.mean == 5)
        #expect(abs(s.stddev - 2.138089935) < 1e-6)  // sample (n−1) standard deviation
        #expect(s.median == 4.5)
        #expect(SampleStatistics([3])!.stddev == 0)
        #expect(SampleStatistics([]) == nil)
    }
}
