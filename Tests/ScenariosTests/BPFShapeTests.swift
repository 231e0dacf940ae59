import Results
import Scenarios
import Testing

@Suite(.tags(.memory)) struct BPFShapeTests {
    /// Every scenario states programs, maps and steps; every name a step uses is declared.
    @Test(arguments: Scenario.allCases)
    func everyScenarioHasACompleteShape(scenario: Scenario) {
        let shape = scenario.shape
        #expect(!shape.programs.isEmpty && !shape.maps.isEmpty && !shape.steps.isEmpty)
        #expect(shape.undeclaredNames.isEmpty, "\(scenario.rawValue): \(shape.undeclaredNames)")
        #expect(shape.maps.contains { $0.type == .allocator })
        #expect(shape.runs.allSatisfy { run in shape.programs.contains { $0.name == run.program } })
    }

    /// No scenario holds a reference across runs.
    @Test(arguments: Scenario.allCases)
    func noReferenceOutlivesItsRun(scenario: Scenario) {
        #expect(scenario.shape.unreleased.isEmpty, "\(scenario.rawValue)")
    }

    /// The scenarios whose run holds objects while the kill races it say how long the window is.
    @Test func racingRunsStateTheirWindow() {
        let racing = Scenario.allCases.filter { !$0.shape.racingRuns.isEmpty }
        #expect(racing == [.inFlightAtKill, .lastPutInNMI, .pausedPutAtKill])
        for s in Scenario.allCases { #expect((s.shape.window != nil) == racing.contains(s), "\(s.rawValue)") }
        #expect(Scenario.lastPutInNMI.shape.programs.contains { $0.type == .perfEvent && $0.attach.isNMI })
    }

    /// Planted: a run that takes an object out and ends without dropping or storing it.
    @Test func aShapeHoldingAcrossRunsIsDetected() {
        let bad = BPFShape(
            programs: [ShapeProgram(name: "p", type: .schedCls, attach: .tcIngress(interface: "lo"), usedMaps: ["v"], kfuncs: [], helpers: [.kptrXchg])],
            maps: [ShapeMap(name: "v", type: .array, entries: .fixed(1), kptrFields: [.node])],
            steps: [.run(ShapeRun(program: "p", cpu: 1, repeats: .once, actions: [.xchgOut(map: "v", slot: .value(0), as: "obj")]))],
            window: nil)
        #expect(bad.unreleased.map { $0.ref } == ["obj"])
    }

    /// `--explain` text exists for every scenario and names every program and map.
    @Test(arguments: Scenario.allCases)
    func explanationNamesEveryProgramAndMap(scenario: Scenario) {
        let text = scenario.explanation.joined(separator: "\n")
        #expect(text.hasPrefix(scenario.rawValue + ": "))
        for p in scenario.shape.programs { #expect(text.contains("\(p.name): \(p.type.rawValue)")) }
        for m in scenario.shape.maps { #expect(text.contains("\(m.name): ")) }
        #expect(text.contains("references held across runs: none"))
        #expect(scenario.explanation.allSatisfy { !$0.contains("\t") })
    }
}
