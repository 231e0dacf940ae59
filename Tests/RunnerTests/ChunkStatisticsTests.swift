import Testing
@testable import Runner

@Suite struct ChunkStatisticsTests {
    /// Two slow chunks and an interrupt (a quarter, at the top) do not move the free rate.
    @Test func interquartileMeanIgnoresTheTails() {
        let chunks = [4.0, 4.1, 4.2, 4.3, 4.0, 4.1, 4.2, 4.3, 4.2, 8.6, 9.0, 400.0]
        // Sorted, the middle half is 4.1, 4.2, 4.2, 4.2, 4.3, 4.3.
        #expect(abs(ChunkStatistics.interquartileMean(chunks) - 25.3 / 6) < 1e-9)
        #expect(ChunkStatistics.interquartileMean([5.0, 7.0]) == 6.0)
        #expect(ChunkStatistics.interquartileMean([]) == 0)
    }

    /// The free path's slow mode on fewer than three chunks in four leaves the ratio on the fast mode.
    @Test func lowerQuartileStepsPastTheSlowMode() {
        let ratios = [0.85, 0.86, 0.84, 1.7, 1.72, 1.69, 0.87, 1.71]
        #expect(ChunkStatistics.lowerQuartile(ratios) == 0.85)
        #expect(ChunkStatistics.lowerQuartile([1.0]) == 1.0)
        #expect(ChunkStatistics.lowerQuartile([]) == nil)
    }
}
