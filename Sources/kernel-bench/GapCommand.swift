import ArgumentParser
import Foundation
import KernelAllocator

struct GapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gap", abstract: "The experiment behind the model-vs-kernel gap: ops per run, irq_work and RCU softirqs per op, and a size sweep.")

    @OptionGroup var shared: SharedOptions

    @Option(help: "Operations in all.") var ops = 1_000_000

    func validate() throws {
        try positive(ops, "ops", max: 1 << 34)
    }

    func run() throws {
        let build = shared.prepare()
        let size = shared.size
        do {
            let results = try GapExperiment.run(cpu: 0, size: size, totalOps: ops, build: build)
            print("configuration          ops/run    ns/op   irq_work/1k ops   RCU softirq/1k ops   slab growth after one run (\(SlabUsage.globalAllocatorCache(objectSize: size) ?? "?"))")
            for m in results {
                let growth = m.slabGrowthAfterOneRun.map { "\($0)" } ?? "-"
                let iwi = m.irqWorkPerOp.map { String(format: "%8.2f", $0 * 1000) } ?? "       -"
                let rcu = m.rcuSoftirqsPerOp.map { String(format: "%8.3f", $0 * 1000) } ?? "       -"
                print("\(m.configuration.label.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%7d", m.configuration.opsPerRun))  \(String(format: "%7.1f", m.nsPerOp))   \(iwi)          \(rcu)             \(growth)")
            }
            print("")
            print("size    unit  refill batch   ns/op   irq_work/1k ops   (tc new+drop, 256 per run)")
            for p in try GapExperiment.sizeSweep(cpu: 0, sizes: [64, 248, 504, 1016, 2040, 4088], opsPerRun: 256, totalOps: ops / 2, build: build) {
                let iwi = p.irqWorkPerOp.map { String(format: "%8.2f", $0 * 1000) } ?? "       -"
                print("\(String(format: "%4d  %5d  %12d  %7.1f", p.size, p.unitSize, p.refillBatch, p.nsPerOp))   \(iwi)")
            }
        } catch { fail("\(error)", 70) }
    }
}
