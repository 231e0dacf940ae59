import Results
import Scenarios
import Testing

@Suite(.tags(.memory)) struct VerdictTests {
    @Test func labels() {
        #expect(Verdict.safe.label == "safe")
        #expect(Verdict.leak(objects: 3, bytes: 192).label == "leak (3 objects, 192 B)")
        #expect(Verdict.useAfterFree.label == "use-after-free")
        #expect(VerdictKind.allCases.map(\.rawValue) == ["safe", "leak", "use-after-free", "unsafe-context"])
        #expect(Verdict.leak(objects: 1, bytes: 96).kind == .leak)
    }

    @Test func worstOrdersUseAfterFreeOverLeakOverSafe() {
        #expect(Verdict.worst(.safe, .leak(objects: 1, bytes: 96)) == .leak(objects: 1, bytes: 96))
        #expect(Verdict.worst(.leak(objects: 1, bytes: 96), .useAfterFree) == .useAfterFree)
        #expect(Verdict.worst(.useAfterFree, .safe) == .useAfterFree)
        #expect(Verdict.worst(.leak(objects: 1, bytes: 96), .leak(objects: 2, bytes: 192)) == .leak(objects: 2, bytes: 192))
        #expect(Verdict.worst(.safe, .safe) == .safe)
        #expect(Verdict.worst(.useAfterFree, .unsafeContext) == .unsafeContext)
        #expect(Verdict.unsafeContext.label == "unsafe-context")
    }
}
