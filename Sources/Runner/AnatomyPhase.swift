import Foundation
import KernelAllocator
import Platform
import Results

/// The anatomy of the kernel's pair in the default run (phase `anatomy`): `kernel` and
/// `kernel-htab` on the plan's first CPU, in short blocks of an untraced, a traced and (for
/// `kernel`) a timed loop, after every headline row is measured: the raw tracepoints are
/// attached only inside this phase. `bench anatomy` runs the same with longer loops and the
/// curve against repetition length.
public enum AnatomyPhase {
    /// Blocks per subject and each loop's length: 6 blocks are the fewest that give the sign
    /// test's 95 % interval (from the smallest block to the largest); 40 ms loops keep the
    /// phase near 2 s. The counts are exact (`bench anatomy` runs longer loops and the curve).
    static let blocks = 6
    static let loopNs = 40_000_000
    /// The churn sampled for the memory deferral holds.
    static let heldNs = 250_000_000

    /// Runs when the run measured `kernel` on pair.
    public static func rows(plan: Plan, context: RunContext, quiet: Bool) throws -> (rows: [ResultRow], notes: [String]) {
        let kinds = plan.subjects.compactMap { if case .kernel(let k) = $0 { k } else { nil } }
        guard kinds.contains(.kernel), plan.workloads.contains(.pair), let size = plan.sizes.first, let cpu = plan.cpus.first else {
            return ([], [])
        }
        if !quiet { fputs("anatomy: kernel and kernel-htab pairs, \(blocks) blocks untraced + traced on CPU \(cpu)\n", stderr) }
        let build = BPFBuild(environment: KernelEnvironment.current())
        let probes: AnatomyProbes
        do { probes = try AnatomyProbes(build: build, objectSize: size) } catch {
            let spec = CaseSpec(subject: KernelSubjectKind.kernel.rawValue, workload: .pair, threads: 1, cpus: [cpu], size: size)
            return (RowBuilder(context: context, spec: spec, repetition: 0).unavailable(.anatomy, .pair, "n/a: \(error.reason)"),
                    ["anatomy not measured: \(error.reason) (\(error.note))"])
        }
        defer { probes.close() }
        let stop = { RunInterrupt.isSet }
        let harness = try KernelAnatomy.lengthCurve(.kernelHarness, cpu: cpu, size: size, lengthsNs: [loopNs], build: build, stop: stop)
        var out: [ResultRow] = []
        for subject in [KernelSubjectKind.kernel, .kernelHtab] where !stop() {
            let spec = CaseSpec(subject: subject.rawValue, workload: .pair, threads: 1, cpus: [cpu], size: size)
            let measured = try KernelAnatomy.blocks(subject, probes: probes, cpu: cpu, size: size, blocks: blocks, durationNs: loopNs,
                                                    build: build, stop: stop)
            for (b, block) in measured.enumerated() {
                out += rows(block, harnessNs: harness.first?.nsPerOp ?? 0, builder: RowBuilder(context: context, spec: spec, repetition: b))
            }
            let sampler = plan.cpus.first { $0 != cpu } ?? Topology.current().cpus.map(\.id).first { $0 != cpu }
            if let sampler, !stop(),
                let held = try KernelAnatomy.heldMemory(subject, cpu: cpu, samplerCPU: sampler, size: size, durationNs: heldNs, build: build)
            {
                out += heldRows(held, builder: RowBuilder(context: context, spec: spec, repetition: 0))
            }
        }
        var notes: [String] = []
        if !stop() {
            let spec = CaseSpec(subject: KernelSubjectKind.kernel.rawValue, workload: .pair, threads: 1, cpus: [cpu], size: size)
            do {
                let k = try KmallocNolockCost.measure(cpu: cpu, blocks: blocks, rounds: 8, build: build)
                for b in k.addedNs.indices {
                    let builder = RowBuilder(context: context, spec: spec, repetition: b)
                    out += [builder.row(.anatomy, .kmallocNolock, .addedNs, k.addedNs[b], "ns"),
                            builder.row(.anatomy, .kmallocNolock, .nsPerOp, k.unownedNs[b], "ns")]
                }
            } catch let u as KernelUnavailable {
                out += RowBuilder(context: context, spec: spec, repetition: 0).unavailable(.anatomy, .kmallocNolock, "n/a: \(u.reason)")
                notes.append("kmalloc_nolock not measured: \(u.reason) (\(u.note))")
            }
        }
        notes += probes.unavailable.sorted { $0.key < $1.key }.map { "anatomy: \($0.key) did not attach: \($0.value)" }
        return (out, notes)
    }

    /// One block's rows: the pair and its parts (ns per pair), the counts per 1000 pairs, the
    /// probes' own cost per event.
    /// The slab bytes held during the churn: peak and average over the level before it (deltas,
    /// negative when the level falls) and the swing (peak − lowest).
    static func heldRows(_ held: HeldMemory, builder: RowBuilder) -> [ResultRow] {
        [builder.row(.anatomy, .held, .bytesSlabPeak, Double(held.peakBytes), "B"),
         builder.row(.anatomy, .held, .bytesSlabAvg, held.averageBytes, "B"),
         builder.row(.anatomy, .held, .bytesSwing, Double(held.peakBytes - held.lowestBytes), "B")]
    }

    static func rows(_ block: AnatomyBlock, harnessNs: Double, builder: RowBuilder) -> [ResultRow] {
        let parts = AnatomyParts(block, harnessNs: harnessNs)
        var out = [builder.row(.anatomy, .pair, .nsPerOp, parts.pair, "ns"),
                   builder.row(.anatomy, .harness, .nsPerOp, parts.harness, "ns"),
                   builder.row(.anatomy, .irqWork, .nsPerOp, parts.irqWorkInside, "ns"),
                   builder.row(.anatomy, .rcuSoftirq, .nsPerOp, parts.rcuSoftirq, "ns"),
                   builder.row(.anatomy, .rest, Op.rest.anatomyMetric, parts.rest, "ns")]
        if let outside = parts.irqWorkOutside { out.append(builder.row(.anatomy, .irqWorkOutside, Op.irqWorkOutside.anatomyMetric, outside, "ns")) }
        if let perIrq = block.timing?.outsideNsPerIrqWork { out.append(builder.row(.anatomy, .irqWorkOutside, .perEventNs, perIrq, "ns")) }
        let c = block.counts
        for (op, n) in [(Op.kmallocUnit, c.kmallocUnit), (.kmalloc, c.kmallocAll), (.kfree, c.kfreeAll), (.pages, c.pages),
                        (.irqWork, c.irqWork), (.rcuSoftirq, c.rcuSoftirq)] {
            out.append(builder.row(.anatomy, op, .per1000Ops, block.perThousand(n), "per 1000 ops"))
        }
        if let probe = block.probeNsPerEvent { out.append(builder.row(.anatomy, .probe, .perEventNs, probe, "ns")) }
        return out
    }
}
