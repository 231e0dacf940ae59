import Foundation
import KernelAllocator
import Platform
import Reports
import Results
import Scenarios
import Testing
@testable import Runner

/// Each scenario names what only the model carries, and a run of the checks
/// writes, per scenario, a legal row with every object accounted, then the refused shape.
struct KernelScenarioChecksTests {
    /// Every scenario says which step only the model carries: the allocator map's kill, at least.
    @Test func everyScenarioNamesTheStepOnlyTheModelCarries() {
        for s in Scenario.allCases { #expect(s.modelledOnly.contains("the allocator map's kill"), "\(s)") }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MEMALLOC_SKIP_KERNEL_TESTS"] != "1"
                   && KernelEnvironment.current().canLoadPrograms && sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2))
    func checksRunAndComeBackFromRows() throws {
        let result = KernelScenarioChecks(scenarios: [.pinnedMap, .lastPutInNMI], cpus: [0, 1], quiet: true).run()
        let checks = try result.get()
        #expect(checks.map(\.scenario) == ["pinned-map", "last-put-in-nmi", KernelSafetyCheck.refusedShape])
        #expect(checks.prefix(2).allSatisfy { $0.clean }, "\(checks)")
        #expect(!checks[2].legal && checks[2].evidence.contains("sf_exit_holding"))
        let template = RunContext.detect(topology: .current(), command: "test").rowTemplate
        #expect(KernelSafetyCheck.all(in: checks.flatMap { $0.rows(context: template) }) == checks)
    }
}
