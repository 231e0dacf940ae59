import CLibbpf
import Foundation

/// The kernel log's WARNING/BUG reports counted before and after a step: a sequence that made
/// the kernel complain (a refcount underflow, a bad page, a splat in bpf_mem_alloc) shows as new
/// lines. The ring buffer may wrap between the two reads on a noisy host; the count is of
/// lines, so a wrap can only hide a report, never invent one.
struct KernelLogScan {
    /// Reports in the log now, or nil when it cannot be read (no CAP_SYSLOG).
    let reports: Int?

    static let markers = ["WARNING: ", "BUG: ", "kernel BUG at", "refcount_t: ", "Oops: "]

    init() {
        let size = 1 << 21
        var buffer = [CChar](repeating: 0, count: size)
        let n = buffer.withUnsafeMutableBufferPointer { CLibbpf_kernel_log($0.baseAddress, Int32(size)) }
        guard n >= 0 else {
            reports = nil
            return
        }
        let text = String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        reports = Self.count(in: text)
    }

    static func count(in text: String) -> Int {
        text.split(separator: "\n").filter { line in markers.contains { line.contains($0) } }.count
    }

    /// New reports since `before`, or nil when either read failed.
    func new(since before: KernelLogScan) -> Int? {
        guard let now = reports, let then = before.reports else { return nil }
        return max(0, now - then)
    }
}
