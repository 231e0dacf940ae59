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

    /// The free path's slow mode on fewer than half the chunks leaves the ratio on the fast
    /// mode, summed: 3 of 8 chunks at twice the time.
    @Test func fasterHalfRatioStepsPastTheSlowMode() throws {
        let control = [300.0, 310, 290, 300, 305, 295, 300, 300]
        let free = [250.0, 260, 250, 510, 520, 500, 255, 250]
        // The faster half: chunks 0, 7, 1 and 6 (ratios 0.833, 0.833, 0.839, 0.850).
        let r = try #require(ChunkStatistics.fasterHalfRatio(free: free, control: control))
        #expect(abs(r - 1015.0 / 1210.0) < 1e-12)
        // A control that read 0 (inside one clock step) is left out, not divided by.
        #expect(ChunkStatistics.fasterHalfRatio(free: [100, 200], control: [0, 400]) == 0.5)
        #expect(ChunkStatistics.fasterHalfRatio(free: [100], control: [0]) == nil)
    }

    /// A control pass preempted for a millisecond is not a fast chunk: it is left out before
    /// the faster half is chosen (else it alone would pull the ratio to ~0.01).
    @Test func anInterruptedControlPassIsLeftOut() throws {
        let control = [300.0, 310, 290, 300, 8_000, 295, 300, 305]
        let free = [250.0, 260, 250, 255, 250, 250, 255, 250]
        let r = try #require(ChunkStatistics.fasterHalfRatio(free: free, control: control))
        #expect(r > 0.8 && r < 0.9, "\(r)")
    }
}
