import Testing
@testable import Regression
@testable import Statistics

struct InterleavedOrderTests {
    @Test(arguments: [1, 2, 3, 10, 11])
    func eachSideRunsKTimesInBalancedBlocks(k: Int) {
        var rng = SplitMix64(seed: UInt64(k))
        let order = InterleavedOrder.balanced(perSide: k, using: &rng)
        #expect(order.count == 2 * k)
        #expect(order.filter { $0 == .base }.count == k)
        // Every block of four is ABBA or BAAB; every pair is one of each.
        for start in stride(from: 0, to: order.count - 1, by: 2) { #expect(order[start] != order[start + 1]) }
        for start in stride(from: 0, to: order.count - 3, by: 4) {
            #expect(order[start] == order[start + 3] && order[start + 1] == order[start + 2])
        }
    }

    @Test func theOrderIsRandomButReproducible() {
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let first = InterleavedOrder.balanced(perSide: 20, using: &a)
        #expect(first == InterleavedOrder.balanced(perSide: 20, using: &b))
        // Both block kinds occur (2^-10 chance of failing for a fair coin is excluded by the fixed seed).
        let blockStarts = stride(from: 0, to: 40, by: 4).map { first[$0] }
        #expect(Set(blockStarts).count == 2)
    }
}
