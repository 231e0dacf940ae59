import Foundation
import KernelAllocator
import Platform
import Reports
import Results
import Scenarios

/// The safety scenarios' sequences run against the real kernel beside the model's verdicts:
/// each scenario's programs verified and its steps run around bpf_global_ma, every object
/// accounted for; then the shape the 2022 scripts described (an object held across runs),
/// which the verifier must refuse. Shared by `bench scenarios` and the safety part of a run.
public struct KernelScenarioChecks {
    public let scenarios: [Scenario]
    public let cpus: [Int]
    public let quiet: Bool

    public init(scenarios: [Scenario], cpus: [Int], quiet: Bool) {
        self.scenarios = scenarios
        self.cpus = cpus
        self.quiet = quiet
    }

    /// The checks, or the one line that says why the kernel could not run them.
    public func run() -> Result<[KernelSafetyCheck], KernelUnavailable> {
        let build = BPFBuild(environment: KernelEnvironment.current())
        do throws(KernelUnavailable) { try build.environment.check() } catch { return .failure(error) }
        let cpus = CPUList.format(Array(self.cpus.prefix(2)))
        var checks: [KernelSafetyCheck] = []
        for (i, scenario) in scenarios.enumerated() {
            if RunInterrupt.isSet { break }
            if !quiet { fputs("[kernel \(i + 1)/\(scenarios.count + 1)] scenario \(scenario.rawValue) in the kernel…\n", stderr) }
            do throws(KernelCaseFailure) {
                let r = try KernelSafety.run(scenario, build: build, cpus: Array(self.cpus.prefix(2)))
                checks.append(Self.check(r, cpus: cpus))
            } catch {
                checks.append(KernelSafetyCheck(scenario: scenario.rawValue, legal: false, evidence: "did not run: \(error)",
                                                threads: 2, cpus: cpus))
            }
            if !quiet, let c = checks.last { fputs("  → \(c.legal ? "legal" : "not legal")\(c.clean ? ", every object accounted" : "")\n", stderr) }
        }
        guard !RunInterrupt.isSet else { return .success(checks) }
        if !quiet { fputs("[kernel \(scenarios.count + 1)/\(scenarios.count + 1)] a run that exits holding its object…\n", stderr) }
        do throws(KernelCaseFailure) {
            let refusal = try KernelSafety.refuseExitHolding(build: build)
            checks.append(KernelSafetyCheck(scenario: KernelSafetyCheck.refusedShape, legal: false,
                                            evidence: "the verifier refused \(refusal.program): \(refusal.reason)", threads: 1, cpus: cpus))
        } catch {
            checks.append(KernelSafetyCheck(scenario: KernelSafetyCheck.refusedShape, legal: true,
                                            evidence: "NOT refused: \(error)", threads: 1, cpus: cpus))
        }
        return .success(checks)
    }

    static func check(_ r: KernelSafetyRun, cpus: String) -> KernelSafetyCheck {
        var evidence = "\(r.programs.count) programs verified; model only: \(r.scenario.modelledOnly)"
        if let w = r.window {
            let us = { (ns: Int) in String(format: "%.1f", Double(ns) / 1e3) }
            evidence += "; \(w.program) on CPU \(w.cpu) held \(w.held) for \(us(w.runNs)) µs, \(w.step) "
                + (w.inside ? "inside it, at +\(us(w.actedFromNs))–\(us(w.actedToNs)) µs" : "outside it: nothing raced")
        }
        if let walks = r.walksDuringRace { evidence += "; CPU 0's walk ran \(walks) time(s) until the racing run returned" }
        // A window is written only when the step landed inside the run: the table's column is the race.
        let window = r.window.flatMap { $0.inside ? Double($0.runNs) / 1000 : nil }
        return KernelSafetyCheck(scenario: r.scenario.rawValue, legal: true, evidence: evidence, allocated: r.allocated,
                                 dropped: r.freedByPrograms, left: r.inMapsAtClose, mapsLeft: r.mapsLeft,
                                 kernelReports: r.kernelReports, windowUs: window, threads: 2, cpus: cpus)
    }
}
