import Foundation
import Glibc
import Platform
import Results

/// Runs the safety scenarios' sequences against the real kernel (`safety.bpf.c`, objects from
/// bpf_global_ma): every program must pass the verifier, every sequence must run, and under the
/// landed design every object must be accounted for — dropped by a program, or still in a map
/// when the last program went (the map free drops those) — with no new kernel report.
public enum KernelSafety {
    /// The longest a holding run spins with its objects taken out, waiting for the control
    /// plane to act and open the gate (a cap for a control plane that never does).
    static let holdCapNs = 100_000_000

    /// Runs `sequence` with the control plane on `cpus[0]` and the racing program on `cpus[1]`
    /// (the same CPU when only one is given: nothing races then, and the window says so).
    public static func run(_ sequence: Scenario, build: BPFBuild, cpus: [Int]) throws(KernelCaseFailure) -> KernelSafetyRun {
        let home = cpus.first ?? 0
        let other = cpus.count > 1 ? cpus[1] : home
        let before = KernelLogScan()
        var result = try onCPU(home) { () throws(KernelCaseFailure) -> KernelSafetyRun in
            let session = try SafetySession(build: build)
            var r = KernelSafetyRun(scenario: sequence)
            r.programs = session.loaded
            try steps(of: sequence, session, home: home, other: other, into: &r)
            try finish(session, into: &r)
            return r
        }
        result.kernelReports = KernelLogScan().new(since: before)
        return result
    }

    /// Loads the shape no verifier accepts (a run that exits holding its object): the refusal
    /// and the log's reason, or a failure when the kernel accepted it.
    public static func refuseExitHolding(build: BPFBuild) throws(KernelCaseFailure) -> KernelRefusal {
        let path: String
        do { path = try build.object(.safety, objectSize: 64) } catch { throw KernelCaseFailure("\(error)") }
        let log = (path as NSString).deletingPathExtension + ".exit-holding.log"
        do {
            let object = try BPFObject(path: path, name: "safety", autoload: [SafetyProgram.exitHolding.id], logPath: log)
            object.close()
        } catch {
            return KernelRefusal(program: SafetyProgram.exitHolding.rawValue, reason: verifierReason(log: log) ?? error.reason)
        }
        throw KernelCaseFailure("the verifier accepted \(SafetyProgram.exitHolding.rawValue), a program that exits holding a reference")
    }

    /// The verifier's line that names a leaked reference.
    static func verifierReason(log: String) -> String? {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.contains("reference leak") || $0.contains("Unreleased reference") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Counts what the maps still hold, unloads every program, closes every map, and waits for
    /// the map frees (which drop the kptrs left in them).
    static func finish(_ s: SafetySession, into r: inout KernelSafetyRun) throws(KernelCaseFailure) {
        if s.fd(.count) >= 0 { r.inMapsAtClose += Int(try s.run(.count)) }
        if s.fd(.countInner) >= 0 { r.inMapsAtClose += Int(try s.run(.countInner)) }
        let c = s.counters()
        r.allocated += Int(c.allocated)
        r.freedByPrograms += Int(c.freed)
        guard c.failed == 0 else { throw KernelCaseFailure("bpf_obj_new failed \(c.failed) time(s)") }
        let ids = s.mapIDs()
        s.unloadAll()
        for m in SafetyMap.allCases { s.close(m) }
        r.mapsLeft = SafetySession.waitUntilFreed(ids)
    }

    /// Runs `body` on a thread pinned to `cpu` and returns what it returned.
    static func onCPU<T: Sendable>(_ cpu: Int, _ body: @escaping () throws(KernelCaseFailure) -> T) throws(KernelCaseFailure) -> T {
        let box = ResultBox<T>()
        do {
            try PinnedThread.run(on: [cpu]) { _, _ in
                do throws(KernelCaseFailure) { box.value = .success(try body()) } catch { box.value = .failure(error) }
            }
        } catch { throw KernelCaseFailure("cannot pin to CPU \(cpu): \(error)") }
        guard let value = box.value else { throw KernelCaseFailure("the run on CPU \(cpu) did not report") }
        return try value.get()
    }
}
