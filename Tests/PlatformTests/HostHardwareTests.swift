import Foundation
import Testing
@testable import Platform

/// The host line names what a model string hides, read from an injected machine's files.
@Suite struct HostHardwareTests {
    /// A fake /proc and /sys: `cpus` logical CPUs, `perCore` SMT threads per core, an L3 shared by
    /// `l3` consecutive cores.
    func machine(cpus: Int, perCore: Int, l3: Int, vendor: String = "AuthenticAMD", family: Int = 25, model: Int = 1,
                 hypervisor: Bool = true) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hw-\(UUID().uuidString)").path + "/"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "proc", withIntermediateDirectories: true)
        let flags = "fpu sse2" + (hypervisor ? " hypervisor" : "")
        try """
        processor\t: 0
        vendor_id\t: \(vendor)
        cpu family\t: \(family)
        model\t\t: \(model)
        model name\t: AMD EPYC Processor
        stepping\t: 1
        microcode\t: 0xa0011d1
        flags\t\t: \(flags)

        processor\t: 1
        vendor_id\t: \(vendor)

        """.write(toFile: root + "proc/cpuinfo", atomically: true, encoding: .utf8)
        for cpu in 0..<cpus {
            let core = cpu / perCore
            let base = root + "sys/devices/system/cpu/cpu\(cpu)/"
            try fm.createDirectory(atPath: base + "topology", withIntermediateDirectories: true)
            let siblings = (core * perCore)..<(core * perCore + perCore)
            try CPUList.format(Array(siblings)).write(toFile: base + "topology/thread_siblings_list", atomically: true, encoding: .utf8)
            let l3Group = core / l3
            let l3CPUs = (l3Group * l3 * perCore)..<min(cpus, (l3Group + 1) * l3 * perCore)
            for (index, level, type, list) in [(0, 1, "Data", Array(siblings)), (1, 1, "Instruction", Array(siblings)),
                                              (2, 2, "Unified", Array(siblings)), (3, 3, "Unified", Array(l3CPUs))] {
                let dir = base + "cache/index\(index)/"
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try "\(level)\n".write(toFile: dir + "level", atomically: true, encoding: .utf8)
                try "\(type)\n".write(toFile: dir + "type", atomically: true, encoding: .utf8)
                try CPUList.format(list).write(toFile: dir + "shared_cpu_list", atomically: true, encoding: .utf8)
            }
        }
        return root
    }

    @Test func namesTheMicroarchitectureAndTheGuest() throws {
        let root = try machine(cpus: 2, perCore: 1, l3: 8)
        let hw = HostHardware.detect(cpus: [0, 1], root: root, cpuid: false)
        #expect(hw.vendor == "AuthenticAMD" && hw.family == 25 && hw.model == 1 && hw.stepping == 1)
        #expect(hw.microarchitecture == "Zen 3")
        #expect(hw.microcode == "0xa0011d1")
        #expect(hw.hypervisor == "a hypervisor")
        #expect(hw.description == "AMD EPYC Processor [AuthenticAMD family 25 model 1 stepping 1 (Zen 3); microcode 0xa0011d1; "
            + "guest of a hypervisor; CPUs 0-1 share L3; no SMT]")
    }

    /// 256 CPUs, 2 threads per core, 8 cores per L3: which pairs share what.
    @Test func cacheSharingOnABigInjectedMachine() throws {
        let root = try machine(cpus: 256, perCore: 2, l3: 8, hypervisor: false)
        let siblings = HostHardware.detect(cpus: [0, 1], root: root, cpuid: false)
        #expect(siblings.sharing?.sharedLevels == [1, 2, 3])
        #expect(siblings.sharing?.smtSiblings == true)
        #expect(siblings.hypervisor == nil)
        #expect(siblings.description.contains("CPUs 0-1 share L2+L3, SMT siblings; SMT on"))
        let sameL3 = HostHardware.detect(cpus: [0, 2], root: root, cpuid: false)
        #expect(sameL3.sharing?.sharedLevels == [3] && sameL3.sharing?.smtSiblings == false)
        let apart = HostHardware.detect(cpus: [0, 200], root: root, cpuid: false)
        #expect(apart.sharing?.sharedLevels == [])
        #expect(apart.description.contains("CPUs 0,200 share no L2/L3"))
    }

    @Test func knownModels() {
        #expect(HostHardware.microarchitecture(vendor: "AuthenticAMD", family: 0x19, model: 0x11) == "Zen 4")
        #expect(HostHardware.microarchitecture(vendor: "AuthenticAMD", family: 0x17, model: 0x31) == "Zen 2")
        #expect(HostHardware.microarchitecture(vendor: "GenuineIntel", family: 6, model: 0x8f) == "Sapphire Rapids")
        #expect(HostHardware.microarchitecture(vendor: "GenuineIntel", family: 6, model: 0x01) == nil)
    }

    /// The real machine: some vendor and, on this KVM guest, a hypervisor signature from CPUID.
    @Test func thisMachine() {
        let hw = HostHardware.detect(cpus: [0])
        #expect(hw.vendor != "unknown")
        #expect(hw.description.hasPrefix(hw.modelName))
    }

    @Test func clockResolutionIsAStep() {
        let ticks = TimeStampCounter.measureResolutionTicks(samples: 1000)
        #expect(ticks >= 1)
    }
}
