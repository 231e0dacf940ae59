import Testing
@testable import Results

/// The vocabulary's text forms round-trip: what a run writes, a later build reads back.
struct VocabularyTests {
    @Test func everyMetricHasOneDefinition() {
        let names = MetricDefinition.catalog.map(\.metric.rawValue)
        #expect(Set(names).count == names.count)
        #expect(Metric.mops.direction == .higherIsBetter && Metric.nsPerOp.direction == .lowerIsBetter)
        #expect(Metric(rawValue: "from_a_newer_build").direction == .neither)
        #expect(Metric.verdict.direction == .neither && Metric.overControl.direction == .neither)
    }

    @Test func parameterisedOpsReadBack() {
        #expect(Op.sizeClass(96).sizeClassUnit == 96 && Op.allocators(1000).allocatorCount == 1000)
        #expect(Op.mapCreate(entries: 4096).mapCreateEntries == 4096 && Op.steady("kptr-xchg").steadyWorkload == "kptr-xchg")
        #expect(Op.createInsideFillOutside.mapCreateEntries == nil && Op.pair.sizeClassUnit == nil)
    }

    @Test(arguments: [Verdict.safe, .leak(objects: 3, bytes: 192), .useAfterFree, .unsafeContext])
    func verdictLabelsReadBack(_ v: Verdict) {
        #expect(Verdict(label: v.label) == v)
    }

    @Test func topologyLabelsReadBack() {
        let t = TopologyLabel(cpus: 256, nodes: 8)
        #expect(t.description == "256cpu-8node" && TopologyLabel(workloadColumn: t.description) == t)
        #expect(TopologyLabel(workloadColumn: "pair") == nil && TopologyLabel(workloadColumn: "2cpu") == nil)
    }

    @Test func ownershipNotesReadBack() {
        let why = OwnershipNotes.overBudget(modelMiB: "900.0", budgetMiB: "512.0", objects: 1000, bytesPerObject: 13_107)
        #expect(OwnershipNotes.kernelBytes(overBudget: why) == Int((12.5 * 1_048_576).rounded()))
        #expect(OwnershipNotes.kernelBytes(overBudget: "n/a: kernel unavailable") == nil)
        #expect(OwnershipNotes.cache(slabUnit: OwnershipNotes.slabUnit(cache: "kmalloc-96")) == "kmalloc-96")
    }
}
