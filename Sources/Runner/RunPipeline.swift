import Foundation
import Platform
import Reports
import Results
import Scenarios
import Strategies

/// The steps of `bench [run]` in order: the main rounds, the further map sizes' walk rounds, the
/// kernel policies' interleaved pair, the cost of owning an allocator, the safety replay. Every
/// step sees the one interrupt (`RunInterrupt`) and the first failure: after either, no later
/// step runs, and the outcome says which.
public struct RunPipeline {
    public struct Options {
        /// `--map-values` after the first: one walk round each.
        public var furtherMapSizes: [Int] = []
        public var footprint = true
        /// nil: no safety replay.
        public var safety: ScenarioSettings?
        public var quiet = false
        public init() {}
    }

    public struct Outcome {
        /// The measured rows (the verdicts are in `safety`).
        public var rows: [ResultRow] = []
        public var safety: [SafetyVerdict] = []
        public var notes: [String] = []
        public var finishedCases = 0
        /// A signal stopped the run: the rows are those of the steps finished before it.
        public var interrupted = false
        /// A case or step broke: the run exits 70 with the rows finished before it.
        public var caseFailure: String?
        /// The safety replay could not run (the measurements are kept).
        public var safetyFailure: String?
    }

    let plan: Plan
    let context: RunContext
    let runner: BenchRunner
    let options: Options

    public init(plan: Plan, context: RunContext, runner: BenchRunner, options: Options) {
        self.plan = plan
        self.context = context
        self.runner = runner
        self.options = options
    }

    /// Runs every step; never throws (what broke is in the outcome).
    public func run() -> Outcome {
        var outcome = Outcome()
        do {
            let main = try runner.run()
            outcome.rows = main.rows
            outcome.finishedCases = main.finishedCases
        } catch let partial as BenchRunner.PartialRun {
            outcome.rows = partial.finished.rows
            outcome.finishedCases = partial.finished.finishedCases
            outcome.caseFailure = Self.describe(partial.failure)
            outcome.notes.append("\(outcome.caseFailure!); \(outcome.finishedCases) finished cases kept")
        } catch {
            outcome.caseFailure = "the run failed: \(error)"
            outcome.notes.append(outcome.caseFailure!)
        }
        let steps: [(String, (inout Outcome) throws -> Void)] = [
            ("unload-walk round", walkRounds), ("interleaved kernel blocks", interleavedKernelBlocks),
            ("native refcounts", nativeRefcounts), ("anatomy of the kernel's pair", anatomy),
            ("cost of owning an allocator", footprint), ("safety replay", safetyReplay),
        ]
        for (name, step) in steps {
            if RunInterrupt.isSet || outcome.caseFailure != nil { break }
            do { try step(&outcome) } catch {
                outcome.caseFailure = "\(name) failed: \(error)"
                outcome.notes.append(outcome.caseFailure!)
            }
        }
        // A signal at any point, inside a step or between two, is the run's interrupt.
        outcome.interrupted = RunInterrupt.isSet
        if outcome.interrupted { outcome.notes.append("interrupted: \(outcome.finishedCases) finished cases kept") }
        return outcome
    }

    private func walkRounds(_ outcome: inout Outcome) throws {
        guard !options.furtherMapSizes.isEmpty else { return }
        // The sizes finished before a signal are kept, as the main rounds keep their repetitions.
        outcome.rows += try WalkRounds.rows(plan: plan, context: context, furtherMapSizes: options.furtherMapSizes,
                                            quiet: options.quiet).rows
    }

    /// The kernel subjects interleaved in time, in freshly loaded blocks: what the kernel table's
    /// cells are computed from (a whole repetition drifts more than a policy adds).
    private func interleavedKernelBlocks(_ outcome: inout Outcome) throws {
        try kernelStep(&outcome) { try KernelInterleavedPhase.rows(plan: plan, context: context, quiet: options.quiet) }
    }

    /// The kernel's own percpu_ref and refcount_t beside the emulations, when the run has them.
    private func nativeRefcounts(_ outcome: inout Outcome) throws {
        try kernelStep(&outcome) { try NativeRefsPhase.rows(plan: plan, context: context, quiet: options.quiet) }
    }

    /// What the kernel's pair is made of: its probes attach only here, after every headline row.
    private func anatomy(_ outcome: inout Outcome) throws {
        try kernelStep(&outcome) { try AnatomyPhase.rows(plan: plan, context: context, quiet: options.quiet) }
    }

    /// A kernel step runs only when the main rounds measured a kernel subject; an interrupted
    /// step is dropped whole (a partial set of rounds would bias its table).
    private func kernelStep(_ outcome: inout Outcome, _ measure: () throws -> (rows: [ResultRow], notes: [String])) throws {
        guard outcome.rows.contains(where: { KernelSubjects.isKernel($0.strategy) && $0.phase == .live && $0.value != nil }) else { return }
        let step = try measure()
        if !RunInterrupt.isSet {
            outcome.rows += step.rows
            outcome.notes += step.notes
        }
    }

    private func footprint(_ outcome: inout Outcome) throws {
        guard options.footprint else { return }
        let footprint = MachineFootprint.rows(plan: plan, context: context, quiet: options.quiet)
        if !RunInterrupt.isSet {
            outcome.rows += footprint.rows
            outcome.notes += footprint.notes
        }
    }

    /// Safety next to cost: the thread's hazards replayed for the strategies just measured.
    private func safetyReplay(_ outcome: inout Outcome) throws {
        guard let settings = options.safety else { return }
        let strategies = plan.subjects.compactMap { if case .strategy(let k) = $0 { k } else { nil } }
        guard !strategies.isEmpty else { return }
        // One CPU cannot race: the racing scenarios are skipped rather than reported as raced.
        let replayed = Scenario.allCases.filter { !$0.isRandomized || settings.cpus.count >= 2 }
        if replayed.count < Scenario.allCases.count {
            let skipped = Scenario.allCases.filter { !replayed.contains($0) }.map(\.rawValue).joined(separator: ", ")
            outcome.notes.append("safety replay without the racing scenarios (\(skipped)): --cpus names one CPU, which cannot race")
            if !options.quiet { fputs("note: \(outcome.notes.last!)\n", stderr) }
        }
        let sweep = ScenarioSweep(scenarios: replayed, strategies: strategies, settings: settings, quiet: options.quiet)
        // The measurements are kept whatever happens to the replay.
        do { outcome.safety = try sweep.run() } catch {
            outcome.safetyFailure = RunInterrupt.isSet ? "safety scenarios interrupted: no verdicts"
                : "safety scenarios could not run (\(error)): no verdicts"
            outcome.notes.append(outcome.safetyFailure!)
            if !options.quiet { fputs("note: \(outcome.safetyFailure!)\n", stderr) }
            return
        }
        kernelScenarios(replayed, cpus: settings.cpus, into: &outcome)
    }

    /// The same scenarios' sequences in the real kernel, beside the model's verdicts.
    private func kernelScenarios(_ scenarios: [Scenario], cpus: [Int], into outcome: inout Outcome) {
        switch KernelScenarioChecks(scenarios: scenarios, cpus: cpus, quiet: options.quiet).run() {
        case .success(let checks): outcome.rows += checks.flatMap { $0.rows(context: context.rowTemplate) }
        case .failure(let why):
            outcome.notes.append("safety scenarios not run in the kernel: \(why)")
            if !options.quiet { fputs("note: \(outcome.notes.last!)\n", stderr) }
        }
    }

    /// One line for a failed case: the runner's reason, without repeating the case name.
    static func describe(_ failure: BenchRunner.Failure) -> String {
        guard case .caseFailed(let name, var why) = failure else { return failure.description }
        for suffix in [": \(name)", " \(name)", name] where why.hasSuffix(suffix) && why.count > suffix.count {
            why = String(why.dropLast(suffix.count))
            break
        }
        return "case \(name) failed: \(why)"
    }
}
