import Results
import Testing
@testable import Reports

@Suite struct WalkCostTests {
    func walkRows(_ points: [(values: Int, us: Double)], strategy: String = "lazy") -> [ResultRow] {
        points.enumerated().flatMap { i, p in
            [makeRow(strategy: strategy, phase: .kill, op: .walk, repetition: i, metric: .latencyUs, value: p.us),
             makeRow(strategy: strategy, phase: .kill, op: .walk, repetition: i, metric: .mapValues, value: Double(p.values))]
        }
    }

    @Test func fitsTheLineOverSeveralMapSizes() throws {
        // 10 ns per value plus 5 µs fixed.
        let rows = walkRows([(1000, 15), (1000, 15.2), (4000, 45), (4000, 44.8), (16000, 165), (16000, 165.1)])
        let walk = try #require(WalkCost(rows: rows))
        let fit = WalkCost.fit(walk.points)
        #expect(abs(fit.slope - 10) < 0.05)
        #expect(abs(fit.intercept - 5000) < 100)
        // A 25 µs kill: the walk costs more from (25000 - 5000) / 10 = 2000 values.
        let (slope, even) = walk.intervals(killNs: [25000, 25000, 25000])
        #expect(slope.low <= 10 && 10 <= slope.high + 0.05)
        #expect(abs(try #require(even).ratio - 2000) < 30)
        let text = walk.finding(kill: [25, 25, 25], grace: [])
        #expect(text.contains("10.0 ns per map value") && text.contains(" µs fixed, fitted over 3 map sizes 1000-16000"))
    }

    @Test func oneMapSizeIsCostPerValue() throws {
        let walk = try #require(WalkCost(rows: walkRows([(16384, 163.84), (16384, 163.84)])))
        let fit = WalkCost.fit(walk.points)
        #expect(fit.slope == 10 && fit.intercept == 0)
        let text = walk.finding(kill: [8.192], grace: [10000])
        #expect(text.contains("10.0 ns per map value"))
        #expect(text.contains("one map size"))
        #expect(text.contains("about 819 map values"))
    }

    @Test func noWalkRowsNoClaim() {
        #expect(WalkCost(rows: [makeRow(strategy: "atomic", value: 1)]) == nil)
    }
}

@Suite struct WalkCostMapSizeTests {
    @Test func tablesKeepTheMainMapSize() {
        let walks: [(Int, Double, Double)] = [(0, 16384, 240), (1, 16384, 250), (5, 1024, 15)]
        let rows: [ResultRow] = walks.flatMap { rep, values, us -> [ResultRow] in
            [makeRow(strategy: "lazy", phase: .kill, op: .walk, repetition: rep, metric: .latencyUs, value: us),
             makeRow(strategy: "lazy", phase: .kill, op: .walk, repetition: rep, metric: .mapValues, value: values)]
        } + [makeRow(strategy: "lazy", repetition: 5, value: 1)]
        let kept = WalkCost.mainMapSize(rows)
        #expect(kept.count == 5)
        #expect(!kept.contains { $0.op == .walk && $0.repetition == 5 })
        #expect(WalkCost.mainMapSize(Array(rows.prefix(4))).count == 4)
    }
}
