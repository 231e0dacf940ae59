import Foundation
import Testing
@testable import KernelAllocator

/// The unload walk finds every allocator in a crafted map, array and hash, and only those.
@Suite(.enabled(if: !KernelTestSupport.skip), .serialized)
struct KernelWalkTests {
    /// Owners 3, 17, 42 and 1000 in stretches; the last 1000 values stay empty.
    static func crafted(_ i: Int) -> UInt32 { [3, 17, 42, 1000][(i / 700) % 4] }

    @Test(arguments: KernelWalk.MapKind.allCases)
    func walkFindsEveryAllocator(_ kind: KernelWalk.MapKind) throws {
        let w = try KernelWalk(kind: kind, values: 6000, size: 64, cpu: 0, build: KernelTestSupport.build)
        try w.fill(count: 5000, owner: Self.crafted)
        let t = try w.measure(expectedObjects: 5000)
        #expect(t.owners == [3, 17, 42, 1000])
        try w.close()
    }

    @Test func walkSeesOnlyWhatIsInTheMap() throws {
        let w = try KernelWalk(kind: .array, values: 2000, size: 64, cpu: 0, build: KernelTestSupport.build)
        try w.fill(count: 1400, owner: Self.crafted) // stretches of owners 3 and 17 only
        let r = try w.walk(flush: false)
        #expect(r.found == 1400)
        #expect(r.owners == [3, 17])
        #expect(throws: KernelCaseFailure.self) { _ = try w.measure(expectedObjects: 1401) }
        try w.close()
    }
}
