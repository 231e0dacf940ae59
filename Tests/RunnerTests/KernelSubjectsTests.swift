import KernelAllocator
import Reports
import Testing

/// The report's map from kernel subject to model strategy is the kernel subjects' own: a
/// policy added to one and not the other fails here.
struct KernelSubjectsTests {
    @Test func theReportsPoliciesAreTheKernelSubjectsPolicies() {
        let kinds = KernelSubjectKind.allCases.filter { $0.policy != nil && $0 != .kernelLazy }
        #expect(Set(kinds.map(\.rawValue)) == Set(KernelSubjects.policies.map(\.kernel)))
        for k in kinds {
            #expect(KernelSubjects.policies.first { $0.kernel == k.rawValue }?.model == k.modelStrategy)
            #expect(KernelSubjects.kernel(k.modelStrategy!) == k.rawValue)
        }
        #expect(KernelSubjects.control == KernelSubjectKind.kernelLazy.rawValue)
        #expect(KernelSubjects.short("kernel-atomic") == "atomic" && KernelSubjects.short("global") == "global")
    }
}
