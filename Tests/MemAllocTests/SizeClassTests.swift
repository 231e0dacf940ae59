import Testing
@testable import MemAlloc

@Suite(.tags(.memory)) struct SizeClassTests {
    /// Reference: the smallest class whose unit holds request + 8-byte header.
    static func reference(_ size: Int) -> Int { SizeClass.unitSizes.firstIndex { $0 >= size + 8 }! }

    @Test func everyRequestFrom1To4088MapsToTheSmallestFittingClass() {
        for size in 1...4088 {
            let got = SizeClass.index(forRequest: size)
            if got != Self.reference(size) {
                Issue.record("size \(size): got \(String(describing: got)), want \(Self.reference(size))")
                return
            }
        }
    }

    @Test func boundaries() {
        #expect(SizeClass.index(forRequest: 8) == 0)    // 16-byte unit
        #expect(SizeClass.index(forRequest: 9) == 1)
        #expect(SizeClass.index(forRequest: 56) == 2)   // 64
        #expect(SizeClass.index(forRequest: 64) == 3)   // 72 → 96
        #expect(SizeClass.index(forRequest: 184) == 5)  // 192
        #expect(SizeClass.index(forRequest: 185) == 6)  // 193 → 256
        #expect(SizeClass.index(forRequest: 248) == 6)
        #expect(SizeClass.index(forRequest: 249) == 7)  // 257 → 512
        #expect(SizeClass.index(forRequest: 4088) == 10)
    }

    @Test func rejectsZeroAndOversize() {
        #expect(SizeClass.index(forRequest: 0) == nil)
        #expect(SizeClass.index(forRequest: 4089) == nil)
        #expect(SizeClass.index(forRequest: -1) == nil)
    }

    @Test func packedTableMatchesTheClassList() {
        var low: UInt64 = 0, high: UInt64 = 0
        for bucket in 0..<24 {
            let cls = UInt64(SizeClass.unitSizes.firstIndex { $0 >= 8 * (bucket + 1) }!)
            if bucket < 16 { low |= cls << UInt64(4 * bucket) } else { high |= cls << UInt64(4 * (bucket - 16)) }
        }
        #expect(low == SizeClass.lowBuckets)
        #expect(high == SizeClass.highBuckets)
    }
}
