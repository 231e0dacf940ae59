import BPFModel
import Scenarios
import Strategies
import Testing

@Suite(.tags(.concurrent, .memory)) struct MovedBehindWalkTests {
    static let seeds: [UInt64] = [1, 0xdead_beef, ScenarioSettings.defaultSeed]

    /// lazy and kmem-cache fail under both rules (the walk never sees the moved object);
    /// hybrid fails only under immediate (refcount_inc on a zero owner count in the second walk).
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpectedOnEverySeed(strategy: StrategyKind, rule: ReuseRule) throws {
        for seed in Self.seeds {
            let outcome = try expectVerdictAsExpected(.movedBehindWalk, strategy, rule, settings: ScenarioSettings(iterations: 40, seed: seed))
            switch (strategy, rule) {
            case (.hybrid, .immediate):
                #expect(outcome.evidence.contains("refcount_inc"), "\(outcome.evidence)")
            case (.lazy, _), (.kmemCache, _):
                #expect(outcome.evidence.contains("destroy"), "\(outcome.evidence)")
            default:
                #expect(outcome.verdict == .safe)
            }
        }
    }
}

@Suite(.tags(.concurrent, .memory)) struct LastPutInNMITests {
    /// One NMI run holds the objects while the kill races it. atomic's last put is in the NMI
    /// and its release deferred; percpu-ref's and hybrid's kill waits for the NMI, so their
    /// last reference is the fold's; lazy faults under immediate, naming the NMI run.
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpected(strategy: StrategyKind, rule: ReuseRule) throws {
        let outcome = try expectVerdictAsExpected(.lastPutInNMI, strategy, rule)
        switch strategy {
        case .atomic:
            #expect(outcome.evidence.contains("release was deferred out of the NMI"), "\(outcome.evidence)")
        case .percpuRef, .hybrid, .global:
            #expect(outcome.evidence.contains("no release at a put in the NMI"), "\(outcome.evidence)")
        case .lazy, .kmemCache:
            if rule == .immediate {
                #expect(outcome.evidence.contains("dropped by run 1 of program"), "\(outcome.evidence)")
                #expect(outcome.evidence.contains("(nmi_drain) on CPU 1"), "\(outcome.evidence)")
            }
        }
    }
}

@Suite(.tags(.concurrent, .memory)) struct PausedPutAtKillTests {
    /// percpu_ref's store lands while the kill waits for its grace period, and is still counted.
    @Test(arguments: everyStrategyAndRule)
    func verdictAsExpected(strategy: StrategyKind, rule: ReuseRule) throws {
        let outcome = try expectVerdictAsExpected(.pausedPutAtKill, strategy, rule)
        switch strategy {
        case .percpuRef, .hybrid:
            #expect(outcome.evidence.contains("read percpu mode and completed while the kill was waiting"), "\(outcome.evidence)")
        case .lazy where rule == .rcu, .kmemCache where rule == .rcu:
            #expect(outcome.evidence.contains("while the kill was waiting"), "\(outcome.evidence)")
        default:
            break
        }
    }

    /// One real CPU: the paused reader and the kill share it and still finish.
    @Test func oneRealCPU() throws {
        let cpu = ScenarioSettings.defaultCPUs()[0]
        try expectVerdictAsExpected(.pausedPutAtKill, .percpuRef, .rcu, settings: ScenarioSettings(iterations: 1, cpus: [cpu]))
    }
}
