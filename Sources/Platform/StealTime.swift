import Foundation

/// Time the hypervisor ran something else while a guest CPU wanted to run ("steal" in
/// /proc/stat). A stall of milliseconds in a timed loop on a VM may be this (the host
/// descheduled the vCPU) or not: read before and after a measurement to tell which.
public enum StealTime {
    /// Milliseconds of steal accumulated so far on `cpus`, summed; nil where /proc/stat has
    /// no steal column (not a guest, or an old kernel).
    public static func milliseconds(cpus: [Int], procStat: String? = nil) -> Double? {
        guard let text = procStat ?? (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) else { return nil }
        let ticksPerSecond = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        var total = 0.0, found = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            // cpuN user nice system idle iowait irq softirq steal …
            guard let name = fields.first, name.hasPrefix("cpu"), let cpu = Int(name.dropFirst(3)), cpus.contains(cpu),
                  fields.count > 8, let steal = Double(fields[8]) else { continue }
            total += steal
            found += 1
        }
        return found == 0 ? nil : total / ticksPerSecond * 1000
    }
}
