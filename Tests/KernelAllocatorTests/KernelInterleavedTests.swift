import Testing
@testable import KernelAllocator

/// The interleaved rounds stay paired: a slice that completed no run (NaN) drops its round for
/// every subject instead of reporting 0 ns/op.
struct KernelInterleavedTests {
    @Test func aSliceWithoutWorkDropsItsWholeRound() {
        let table: [[Double]] = [[400, 402], [.nan, 405], [410, 411], [420, .nan]]
        #expect(KernelInterleaved.completeRounds(table) == [[400, 402], [410, 411]])
        #expect(KernelInterleaved.completeRounds([[400, 401]]) == [[400, 401]])
    }
}
