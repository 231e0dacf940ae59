/// Which regime bpf_global_ma is in: kmallocs of the objects' own size per 1000 pairs over a
/// short window of `kernel`'s pair with only the kmalloc probe attached (~1000 when refills
/// take fresh memory, ~0 when objects come back from the RCU lists). Run between timed blocks,
/// never during them: the probe costs time per kmalloc, so it would tax one regime only.
public final class RegimeProbe {
    let probes: AnatomyProbes
    let pair: KernelCase
    let cpu: Int

    public init(cpu: Int, size: Int, build: BPFBuild) throws {
        probes = try AnatomyProbes(build: build, objectSize: size, loading: [.onKmalloc])
        do { pair = try KernelCase(spec: KernelCaseSpec(subject: .kernel, workload: .pair, cpus: [cpu], size: size), build: build) } catch {
            probes.close()
            throw error
        }
        self.cpu = cpu
    }

    /// kmallocs of the objects' size per 1000 pairs over `durationNs` of pairs on the CPU; nil
    /// when the probe did not attach.
    public func sample(durationNs: Int = 5_000_000) throws -> Double? {
        guard probes.attach([.onKmalloc]) == 1 else { return nil }
        defer { probes.detach() }
        let before = probes.read(cpu: cpu)
        let r = try KernelAnatomy.loop(pair, cpu: cpu, durationNs: durationNs)
        let counted = probes.read(cpu: cpu) - before
        return 1000 * Double(counted.kmallocUnit) / Double(max(r.ops, 1))
    }

    public func close() {
        pair.close()
        probes.close()
    }
}
