import Foundation
import Testing
@testable import Platform

/// Steal time from /proc/stat's per-CPU lines: only the CPUs asked for, in milliseconds.
struct StealTimeTests {
    @Test func sumsTheStealColumnOfTheCPUsAskedFor() throws {
        let stat = """
            cpu  100 0 200 3000 0 0 0 70 0 0
            cpu0 50 0 100 1500 0 0 0 30 0 0
            cpu1 50 0 100 1500 0 0 0 40 0 0
            intr 12345
            """
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(StealTime.milliseconds(cpus: [0], procStat: stat) == 30 / hz * 1000)
        #expect(StealTime.milliseconds(cpus: [0, 1], procStat: stat) == 70 / hz * 1000)
        #expect(StealTime.milliseconds(cpus: [7], procStat: stat) == nil)
        // This machine's own file parses (a guest here: the column exists).
        #expect(StealTime.milliseconds(cpus: [0]) != nil)
    }
}
