import Glibc
import KernelAllocator
import Platform
import Results
import Strategies
import SystemAllocators

/// Runs a plan: every case, every repetition, progress on stderr, rows out.
public final class BenchRunner {
    public struct Outcome {
        public var rows: [ResultRow]
        public var finishedCases: Int
        public var interrupted: Bool
    }

    public enum Failure: Error, CustomStringConvertible {
        /// A case broke an invariant (objects lost, allocator destroyed ≠ once): the run fails.
        case caseFailed(String, String)
        case unoptimizedBuild
        public var description: String {
            switch self {
            case .caseFailed(let c, let why): return "case \(c) failed: \(why)"
            case .unoptimizedBuild:
                return "the measured modules were built without optimization; run `swift run -c release bench …` (or scripts/bench)"
            }
        }
    }

    let plan: Plan
    let context: RunContext
    let quiet: Bool
    let calibration: (overheadTicks: UInt64, ticksPerNs: Double)
    /// The host's clock resolution, one contended line's RMW cost, a kernel grace period.
    let host: HostCalibration
    /// Kernel cases, loaded once before the first round (KernelRepetition.swift).
    var kernelCases: [CaseSpec: KernelCase] = [:]
    var kernelBuild: BPFBuild?
    /// Per CPU and object size, the kmalloc probe that names bpf_global_ma's regime after each kernel
    /// repetition (nil: it could not load; the rows then simply have no regime).
    var regimeProbes: [RegimeProbeKey: RegimeProbe?] = [:]

    public init(plan: Plan, context: RunContext, quiet: Bool) throws {
        guard BuildConfiguration.current != .unoptimized else { throw Failure.unoptimizedBuild }
        self.plan = plan
        self.context = context
        self.quiet = quiet
        calibration = (TimeStampCounter.measureOverheadTicks(), TimeStampCounter.measureTicksPerNanosecond(milliseconds: 20))
        host = HostCalibration.measure(cpus: plan.cpus, ticksPerNs: calibration.ticksPerNs, overheadTicks: calibration.overheadTicks)
    }

    /// A case failed: the run stops, and `finished` keeps the rows of the cases before it (the
    /// files are written with them).
    public struct PartialRun: Error, CustomStringConvertible {
        public let failure: Failure
        public let finished: Outcome
        public var description: String { failure.description }
    }

    /// Installs the handler of SIGINT, SIGTERM and SIGHUP (`RunInterrupt`): the first stops
    /// after the current case, files are written with the finished cases, exit 128 + signal; a
    /// second one exits at once.
    public static func installInterruptHandler() { RunInterrupt.install() }

    public var tscTicksPerNs: Double { calibration.ticksPerNs }
    public var timerOverheadTicks: UInt64 { calibration.overheadTicks }
    /// The smallest step the TSC advances by here, in ns.
    public var clockResolutionNs: Double { host.resolutionNs }

    /// Runs every case's repetitions interleaved: round r runs repetition r of every case, in an
    /// order shuffled per round (seeded), so a host episode of a few seconds spreads over the
    /// subjects instead of landing on one. ^C keeps every finished repetition.
    public func run() throws -> Outcome {
        let cases = plan.cases
        var rowsByCase = [[ResultRow]](repeating: [], count: cases.count)
        var runnable: [Int] = []
        let kernelUnavailable = prepareKernelCases(cases)
        defer { closeKernelCases() }
        for (i, spec) in cases.enumerated() {
            if let rows = kernelUnavailable[i] {
                rowsByCase[i] = rows
            } else if let reason = spec.workload.unsupportedReason(threads: spec.threads) {
                let b = RowBuilder(context: context, spec: spec, repetition: 0)
                rowsByCase[i] = spec.workload.ops.flatMap { b.unavailable(.live, $0, reason) }
            } else if plan.subject(named: spec.subject) != nil {
                runnable.append(i)
            }
        }
        let rounds = plan.settings.repetitions
        let total = rounds * runnable.count
        let start = now()
        var done = 0
        var random = FastRandom(seed: plan.settings.seed ^ 0x5EED_0F_0DE4)
        let hostRows = host.rows(context, cpus: plan.cpus)
        func rowsSoFar() -> [ResultRow] { hostRows + rowsByCase.flatMap { $0 } }
        func finished() -> Int { runnable.filter { !rowsByCase[$0].isEmpty }.count }
        rounds: for round in 0..<rounds {
            var order = runnable
            for k in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(k, Int(random.next() % UInt64(k + 1)))
            }
            for i in order {
                if RunInterrupt.isSet { break rounds }
                let spec = cases[i]
                if !quiet { progress(spec, round: round, rounds: rounds, done: done, total: total, start: start) }
                let repRows: [ResultRow]
                FailureContext.set("case \(spec.description)")  // named if libnuma fails fatally
                defer { FailureContext.set("") }
                do {
                    repRows = try runRepetition(spec, round)
                } catch CaseFailure.interrupted {
                    break rounds
                } catch let f as CaseFailure {
                    // Every finished repetition is kept: the files are written, then exit 70.
                    throw PartialRun(failure: .caseFailed(spec.description, f.description),
                                     finished: Outcome(rows: rowsSoFar(), finishedCases: finished(), interrupted: false))
                }
                if RunInterrupt.isSet { break rounds }  // the interrupted repetition is dropped
                rowsByCase[i] += repRows
                done += 1
            }
        }
        return Outcome(rows: rowsSoFar(), finishedCases: finished(), interrupted: RunInterrupt.isSet)
    }

    private func progress(_ spec: CaseSpec, round: Int, rounds: Int, done: Int, total: Int, start: Int) {
        let elapsed = Double(now() - start) / 1e9
        let eta = done == 0 ? "" : String(format: ", ETA %.0f s", elapsed / Double(done) * Double(total - done))
        let line = "[\(pad(done + 1, total))/\(total)] round \(round + 1)/\(rounds): \(spec.subject)/\(spec.workload.rawValue) \(spec.threads) thr \(spec.size) B\(eta)"
        fputs(line + "\n", stderr)
    }

    private func pad(_ n: Int, _ total: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, String(total).count - s.count)) + s
    }

    /// One repetition of one case, on a fresh subject.
    func runRepetition(_ spec: CaseSpec, _ rep: Int) throws -> [ResultRow] {
        guard let subject = plan.subject(named: spec.subject) else { return [] }
        let slots = plan.settings.mapSlots
        switch subject {
        case .strategy(let kind):
            struct Visit: StrategyVisitor {
                let runner: BenchRunner
                let spec: CaseSpec
                let rep: Int
                func visit<S: LifetimeStrategy>(_ type: S.Type) throws -> [ResultRow] {
                    let topology = runner.plan.topology
                    let slots = runner.plan.settings.mapSlots
                    return try runner.repetition(spec, rep) { try StrategySubject<S>(topology: topology, objectSize: spec.size, mapSlots: slots) }
                }
            }
            return try kind.accept(Visit(runner: self, spec: spec, rep: rep))
        case .system(let allocator):
            return try repetition(spec, rep) { SystemAllocatorSubject(allocator: allocator, mapSlots: slots) }
        case .freelist:
            let limit = plan.topology.cpuIDLimit
            return try repetition(spec, rep) { FreeListFloorSubject(size: spec.size, cpuIDLimit: limit, mapSlots: slots) }
        case .noop:
            return try repetition(spec, rep) { NoopSubject(mapSlots: slots) }
        case .kernel(let kind):
            return try kernelRepetition(spec, rep, kind)
        }
    }

    func repetition<S: CaseSubject>(_ spec: CaseSpec, _ rep: Int, make: () throws -> S) throws -> [ResultRow] {
        let roundTrip = CrossCoreCalibration.roundTripNanoseconds(cpus: plan.cpus)
        let subject: S
        do { subject = try make() } catch { throw CaseFailure.invariant("cannot create subject: \(error)") }
        var r: RepetitionResult
        switch spec.workload {
        case .pair: r = try one(subject, PairWorkload.self, spec, rep)
        case .batch: r = try one(subject, BatchWorkload.self, spec, rep)
        case .remote: r = try one(subject, RemoteWorkload.self, spec, rep)
        case .kptrXchg: r = try one(subject, KptrXchgWorkload.self, spec, rep)
        case .larson: r = try one(subject, LarsonWorkload.self, spec, rep)
        }
        r.crossCoreRoundTripNs = roundTrip
        if r.interrupted { throw CaseFailure.interrupted }
        if let problem = r.teardown.problem { throw CaseFailure.invariant(problem) }
        return RowBuilder(context: context, spec: spec, repetition: rep)
            .rows(r, hasKill: subject.hasKill, latencyWanted: plan.settings.latency)
    }

    private func one<S: CaseSubject, W: Workload>(_ s: S, _ w: W.Type, _ spec: CaseSpec, _ rep: Int) throws -> RepetitionResult {
        do {
            return try CaseRunner.runRepetition(subject: s, workload: w, spec: spec, settings: plan.settings, repetition: rep,
                                                latencyCalibration: calibration)
        } catch let e as PlatformError {
            throw CaseFailure.invariant(e.description)
        }
    }
}
