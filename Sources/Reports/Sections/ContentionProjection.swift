import Results
/// Contention beyond the CPUs this machine has, stated as a **projection**, never mixed with
/// measured rows, in the terms of the op that touches the line. One shared cache line serves
/// one transfer at a time: a CPU that touches it every T_op ns (its own time between two
/// touches) waits about one transfer t per touch while fewer than N* ≈ T_op / t CPUs share it;
/// past N* the line is saturated and the whole machine's touches are capped near 1/t, so each
/// op's cost grows with N. A saturated cost per op (N × t) is therefore never printed beside
/// an op that touches the line once per hundreds of ns: it is below N* at any count quoted.
/// t is measured here (one contended line at 2 threads costs ≈ 2t) and taken from perfbook's
/// published curve (AMD Milan, atomic increment of one counter) across CCXs and sockets.
public struct ContentionProjection: Sendable {
    /// perfbook (2024), AMD Milan: ns per atomic increment of one shared counter, by CPUs (perfbook, "Counting", the table of per-CPU counter costs).
    public static let published: [(cpus: Int, ns: Double)] = [
        (1, 2.53), (2, 11.2), (4, 24.9), (8, 51.7), (16, 115.5), (32, 268), (64, 584), (128, 1605), (160, 2672),
    ]
    /// CPU counts the published constant is fitted on (one CCX of Milan holds 8 cores).
    public static let fitCPUs = [2, 4, 8]
    /// perfbook's t where its transfers cross CCXs (64 CPUs: every CCX of one socket) and
    /// sockets (160 CPUs): its saturated cost per op over N.
    public static let perfbookTransfers: [(label: String, cpus: Int, ns: Double)] = [
        ("across CCXs", 64, 584.0 / 64), ("across sockets", 160, 2672.0 / 160),
    ]

    /// t measured here: half the per-op cost of one line contended by 2 threads.
    public let transferNs: Double
    /// t fitted on the published curve's low counts (least squares through the origin).
    public let publishedTransferNs: Double
    /// N × t (published fit) against the published values above the fit range.
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

    /// N* ≈ T_op / t: the CPUs at which one shared line saturates.
    public static func saturationCPUs(touchIntervalNs: Double, transferNs: Double) -> Double { touchIntervalNs / transferNs }

    /// The op whose line is projected: its cost and how often it touches the line.
    public struct Op: Sendable {
        public let name: String
        public let pairNs: Double
        public let touchesPerPair: Int
        public init(name: String, pairNs: Double, touchesPerPair: Int) {
            self.name = name
            self.pairNs = pairNs
            self.touchesPerPair = touchesPerPair
        }
        var touchIntervalNs: Double { pairNs / Double(touchesPerPair) }
    }

    /// The finding: labelled as a projection; N* for `op` at the measured t and perfbook's; the
    /// model's own pair placed on the same scale; the linear model's error on perfbook's curve.
    public func finding(op: Op, model: (pairNs: Double, atomicAddedNs: Double?, threads: Int)?) -> String {
        func n(_ v: Double) -> String { ResultCell.format(v) }
        func cpus(_ v: Double) -> String { v >= 10 ? "\(Int(v.rounded()))" : n(v) }
        let tOp = op.touchIntervalNs
        let perfbook = Self.perfbookTransfers.map { p in
            "\(cpus(Self.saturationCPUs(touchIntervalNs: tOp, transferNs: p.ns))) at perfbook's Milan t \(p.label) "
                + "(\(n(p.ns)) ns, its \(p.cpus)-CPU point)"
        }
        let worstT = Self.perfbookTransfers.map(\.ns).max() ?? transferNs
        var text = "PROJECTION, not measured: one shared line saturates at about N* ≈ T_op / t CPUs (T_op = one CPU's "
            + "time between two touches of the line, t = one line transfer); below N* each touch waits about one transfer, "
            + "above it the whole machine's touches are capped near 1/t. \(op.name) touches its count "
            + "\(op.touchesPerPair == 1 ? "once" : op.touchesPerPair == 2 ? "twice" : "\(op.touchesPerPair) times") per pair (\(n(op.pairNs)) ns here), so T_op ≈ "
            + "\(n(tOp)) ns and N* ≈ \(cpus(Self.saturationCPUs(touchIntervalNs: tOp, transferNs: transferNs))) CPUs at t = "
            + "\(n(transferNs)) ns measured here (half the 2-thread contended RMW), " + perfbook.joined(separator: ", ")
            + "; below N* the count adds about \(op.touchesPerPair)t ≈ \(n(Double(op.touchesPerPair) * transferNs))–"
            + "\(n(Double(op.touchesPerPair) * worstT)) ns per pair, above it the machine's pairs are capped near "
            + "\(n(1000 / (Double(op.touchesPerPair) * worstT)))–\(n(1000 / (Double(op.touchesPerPair) * transferNs))) M/s."
        if let m = model {
            let star = Self.saturationCPUs(touchIntervalNs: m.pairNs / Double(op.touchesPerPair), transferNs: transferNs)
            text += " The model's pair (\(n(m.pairNs)) ns) has N* ≈ \(cpus(star))"
            if star < 2 {
                text += ": saturated from 2 CPUs"
                if let a = m.atomicAddedNs { text += ", which is its atomic's \(a >= 0 ? "+" : "−")\(n(abs(a))) ns at \(m.threads) thr" }
            }
            text += "."
        }
        let errText = errors.map { "\($0.cpus) CPUs \(Int((($0.predicted - $0.published) / $0.published * 100).rounded()))%" }
        return text + " Checked on perfbook's curve: the saturated N × t with t = \(n(publishedTransferNs)) ns fitted on 2-8 "
            + "CPUs errs by \(errText.joined(separator: ", ")) (cross-CCX and cross-socket transfers cost more)."
    }
}
