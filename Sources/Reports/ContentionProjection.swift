/// Contention beyond the CPUs this machine has, stated as a **projection**, never mixed with
/// measured rows. The model: on one shared cache line every RMW waits for the line to come from
/// the CPU that wrote it last, so at saturation each of N CPUs waits for the other N − 1
/// transfers before its own: cost per op ≈ N × t, t = one line transfer. t is measured here
/// (one contended line at 2 threads: cost ≈ 2t) and checked against the published curve
/// (perfbook, AMD Milan: atomic increment on one counter) — fitted on its low CPU counts, with
/// the error printed on the high ones, where the machine's topology (CCXs, sockets) bends it.
public struct ContentionProjection: Sendable {
    /// perfbook (2024), AMD Milan: ns per atomic increment of one shared counter, by CPUs (perfbook, "Counting", the table of per-CPU counter costs).
    public static let published: [(cpus: Int, ns: Double)] = [
        (1, 2.53), (2, 11.2), (4, 24.9), (8, 51.7), (16, 115.5), (32, 268), (64, 584), (128, 1605), (160, 2672),
    ]
    /// CPU counts the published constant is fitted on (one CCX of Milan holds 8 cores).
    public static let fitCPUs = [2, 4, 8]
    public static let projectedCPUs = [8, 64, 256]

    /// t measured here: half the per-op cost of one line contended by 2 threads.
    public let transferNs: Double
    /// t fitted on the published curve's low counts (least squares through the origin).
    public let publishedTransferNs: Double
    /// Relative error of N × t (published fit) against the published values above the fit range.
    public let errors: [(cpus: Int, predicted: Double, published: Double)]

    public init?(contendedRMW2Threads ns2: Double) {
        guard ns2 > 0, ns2.isFinite else { return nil }
        transferNs = ns2 / 2
        let fit = Self.published.filter { Self.fitCPUs.contains($0.cpus) }
        let t = fit.reduce(0) { $0 + Double($1.cpus) * $1.ns } / fit.reduce(0) { $0 + Double($1.cpus * $1.cpus) }
        publishedTransferNs = t
        errors = Self.published.filter { $0.cpus > Self.fitCPUs.max()! }.map {
            (cpus: $0.cpus, predicted: Double($0.cpus) * t, published: $0.ns)
        }
    }

    /// ns per op of one shared line's RMW at `cpus` CPUs, from the constant measured here.
    public func projected(cpus: Int) -> Double { Double(cpus) * transferNs }

    /// The finding: labelled as a projection, with the model, its constant and its error.
    public func finding(atomicAddedNs: Double?, kernelPairNs: Double?) -> String {
        func n(_ v: Double) -> String { ResultCell.format(v) }
        let worst = errors.map { ($0.predicted - $0.published) / $0.published }
        let errText = zip(errors, worst).map { "\($0.0.cpus) CPUs \(Int(($0.1 * 100).rounded()))%" }.joined(separator: ", ")
        var text = "PROJECTION, not measured: one shared line costs ≈ N × t per RMW at saturation "
            + "(t = one line transfer: \(n(transferNs)) ns here, half the 2-thread contended RMW). "
            + "At " + Self.projectedCPUs.map { "\($0) CPUs ≈ \(n(projected(cpus: $0))) ns" }.joined(separator: ", ")
        if let k = kernelPairNs, k > 0 {
            text += " per atomic op (the kernel's new+drop pair here: \(n(k)) ns)"
        }
        text += ". Checked on perfbook's Milan curve: t = \(n(publishedTransferNs)) ns fitted on 2-8 CPUs predicts "
            + "above them with errors \(errText) (under-predicts: cross-CCX and cross-socket transfers cost more)"
        if let a = atomicAddedNs { text += "; atomic's measured added cost here is \(n(a)) ns/op at 2 thr" }
        return text + "."
    }
}
