/// The kernel's CPU-list syntax (`0-3,8`, as in /sys/devices/system/cpu/online and `taskset -c`).
public enum CPUList {
    /// Parses a list into CPU ids in the order written. Rejects empty items, reversed ranges,
    /// non-numbers and duplicates; does not check that the CPUs exist (see `Topology.resolve`).
    public static func parse(_ text: String) throws -> [Int] {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw PlatformError.malformedCPUList(text, reason: "empty list") }
        var cpus: [Int] = []
        var seen = Set<Int>()
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let part = String(item).trimmingWhitespace()
            guard !part.isEmpty else { throw PlatformError.malformedCPUList(text, reason: "empty item") }
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            let range: ClosedRange<Int>
            switch bounds.count {
            case 1:
                let cpu = try number(bounds[0], in: text)
                range = cpu...cpu
            case 2:
                let lo = try number(bounds[0], in: text)
                let hi = try number(bounds[1], in: text)
                guard lo <= hi else { throw PlatformError.malformedCPUList(text, reason: "range '\(part)' is reversed") }
                range = lo...hi
            default:
                throw PlatformError.malformedCPUList(text, reason: "'\(part)' is not a CPU or a range")
            }
            for cpu in range {
                guard seen.insert(cpu).inserted else { throw PlatformError.duplicateCPU(cpu, list: text) }
                cpus.append(cpu)
            }
        }
        return cpus
    }

    /// Formats CPU ids compactly (`[0,1,2,3,8]` → `0-3,8`).
    public static func format(_ cpus: [Int]) -> String {
        let sorted = cpus.sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    private static func number(_ s: Substring, in list: String) throws -> Int {
        let t = String(s).trimmingWhitespace()
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(t), n < 1 << 20 else {
            throw PlatformError.malformedCPUList(list, reason: "'\(t)' is not a CPU number")
        }
        return n
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
