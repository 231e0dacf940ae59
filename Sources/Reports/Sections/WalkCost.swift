import Results
import Statistics
/// The unload walk's cost against the number of map values it walks (lazy/used_allocators):
/// a least-squares line through the median walk of each map size when the run walked several
/// (`--map-values` list), else the median cost per value. Compared with percpu-ref's kill, it
/// gives the map size from which the walk costs the unloading program more than the kill.
public struct WalkCost: Sendable {
    /// Strategies whose unload walks the maps, in order of preference for the claim.
    public static let walkers = ["lazy", "hybrid", "kmem-cache"]

    public struct Point: Equatable, Sendable {
        public let values: Double
        public let ns: Double
    }

    public let strategy: String
    public let points: [Point]
    public var mapSizes: [Double] { Array(Set(points.map(\.values))).sorted() }

    /// The first of `walkers` with walk rows at the smallest thread count and size; nil without
    /// any. The kernel's walkers are `kernel-lazy` and `kernel-hybrid`.
    public init?(rows: [ResultRow], walkers: [String] = WalkCost.walkers) {
        let walks = rows.filter { $0.phase == .kill && $0.op == .walk && $0.value != nil && walkers.contains($0.strategy) }
        guard let t = walks.map(\.threads).min(), let size = walks.map(\.size).min() else { return nil }
        for s in walkers {
            var latency: [Int: Double] = [:], values: [Int: Double] = [:]
            for r in walks where r.strategy == s && r.threads == t && r.size == size && r.workload == "pair" {
                if r.metric == .latencyUs { latency[r.repetition] = r.value! * 1000 }
                if r.metric == .mapValues { values[r.repetition] = r.value! }
            }
            let points = latency.keys.sorted().compactMap { k in values[k].flatMap { $0 > 0 ? Point(values: $0, ns: latency[k]!) : nil } }
            if !points.isEmpty {
                strategy = s
                self.points = points
                return
            }
        }
        return nil
    }

    /// The rows without the walks of further map sizes (`--map-values` list): the tables show
    /// the main matrix, whose map size is the first walked.
    public static func mainMapSize(_ rows: [ResultRow]) -> [ResultRow] {
        let sizes = rows.filter { $0.phase == .kill && $0.op == .walk && $0.metric == .mapValues }
        guard let main = sizes.first?.value, sizes.contains(where: { $0.value != main }) else { return rows }
        struct Rep: Hashable { let strategy: String, threads: Int, size: Int, repetition: Int }
        let other = Set(sizes.filter { $0.value != main }.map { Rep(strategy: $0.strategy, threads: $0.threads, size: $0.size, repetition: $0.repetition) })
        return rows.filter { r in
            !(r.phase == .kill && r.op == .walk
                && other.contains(Rep(strategy: r.strategy, threads: r.threads, size: r.size, repetition: r.repetition)))
        }
    }

    public init(strategy: String, points: [Point]) {
        self.strategy = strategy
        self.points = points
    }

    /// (ns per value, intercept ns): least squares through the median walk of each map size
    /// with ≥ 2 sizes (a preempted walk must not tilt the line), else through the origin.
    public static func fit(_ all: [Point]) -> (slope: Double, intercept: Double) {
        let xs = Set(all.map(\.values))
        if xs.count < 2 { return (Effect.median(all.map { $0.ns / $0.values }), 0) }
        let points = xs.sorted().map { x in Point(values: x, ns: Effect.median(all.filter { $0.values == x }.map(\.ns))) }
        let n = Double(points.count)
        let mx = points.map(\.values).reduce(0, +) / n, my = points.map(\.ns).reduce(0, +) / n
        let sxy = points.reduce(0) { $0 + ($1.values - mx) * ($1.ns - my) }
        let sxx = points.reduce(0) { $0 + ($1.values - mx) * ($1.values - mx) }
        let slope = sxy / sxx
        return (slope, my - slope * mx)
    }

    /// The map size at which the fitted walk reaches `killNs`.
    static func breakEven(killNs: Double, _ fit: (slope: Double, intercept: Double)) -> Double? {
        guard fit.slope > 0 else { return nil }
        let v = (killNs - fit.intercept) / fit.slope
        return v.isFinite && v > 0 ? v : nil
    }

    /// Percentile-bootstrap intervals of the slope and of the break-even map size (the kill's
    /// repetitions resampled independently of the walk's).
    public func intervals(killNs: [Double], seed: UInt64 = 7) -> (slope: Effect, breakEven: Effect?) {
        var rng = SplitMix64(seed: seed)
        var slopes: [Double] = [], evens: [Double] = []
        let point = Self.fit(points)
        let killMedian = killNs.isEmpty ? nil : Effect.median(killNs)
        for _ in 0..<Effect.resamples {
            let sample = points.indices.map { _ in points[Int.random(in: 0..<points.count, using: &rng)] }
            // A resample with one map size cannot fit a line: fall back to the per-value median.
            let f = Self.fit(sample)
            guard f.slope.isFinite else { continue }
            slopes.append(f.slope)
            if !killNs.isEmpty {
                let kill = Effect.median(killNs.indices.map { _ in killNs[Int.random(in: 0..<killNs.count, using: &rng)] })
                if let v = Self.breakEven(killNs: kill, f) { evens.append(v) }
            }
        }
        func interval(_ value: Double, _ draws: [Double]) -> Effect {
            let s = draws.sorted()
            guard !s.isEmpty else { return Effect(ratio: value, low: value, high: value) }
            return Effect(ratio: value, low: SampleStatistics.quantile(s, 0.025), high: SampleStatistics.quantile(s, 0.975))
        }
        let even = killMedian.flatMap { Self.breakEven(killNs: $0, point) }.map { interval($0, evens) }
        return (interval(point.slope, slopes), even)
    }

    /// The claim: ns per value with its interval, how it was fitted, and how it compares with
    /// percpu-ref's kill as its caller pays it (the kernel's `percpu_ref_kill` queues the switch
    /// and returns; the grace period and the fold are paid by no caller).
    func finding(kill killMicroseconds: [Double], grace graceMicroseconds: [Double], kernelGrace: [Double] = []) -> String {
        let killNs = killMicroseconds.map { $0 * 1000 }
        let (slope, even) = intervals(killNs: killNs)
        let sizes = mapSizes
        // With several sizes the line has a fixed part (setup, the first cache misses): say it.
        let fit = Self.fit(points)
        let fixed = fit.intercept / 1000
        let how = sizes.count > 1
            ? "plus \(ResultCell.format(fixed)) µs fixed, fitted over \(sizes.count) map sizes \(Int(sizes.first!))-\(Int(sizes.last!))"
            : "at \(Int(sizes[0])) values; one map size, so no line is fitted"
        var text = "Unload walk (\(strategy)): \(RunFindings.number(slope.ratio)) ns per map value "
            + "[\(RunFindings.number(slope.low)), \(RunFindings.number(slope.high))], \(how)"
        guard !killNs.isEmpty else { return text + "; no percpu-ref kill in this run to compare with." }
        let kill = Effect.median(killNs)
        text += "; percpu-ref's kill costs its caller \(ResultCell.format(kill)) ns (flags, base reference, the switch queued)"
        if let even {
            text += ", so the walk costs more from about \(Int(even.ratio.rounded())) map values "
                + "[\(Int(even.low.rounded())), \(Int(even.high.rounded()))]"
        } else {
            let smallest = fit.intercept + fit.slope * (sizes.first ?? 1)
            text += ", so the walk costs more at every map size (\(ResultCell.format(smallest / 1000)) µs at \(Int(sizes.first ?? 1)) values)"
        }
        var deferred: [String] = []
        if !graceMicroseconds.isEmpty {
            deferred.append("\(ResultCell.format(Effect.median(graceMicroseconds))) µs with liburcu QSBR over the running workers")
        }
        if !kernelGrace.isEmpty {
            deferred.append("\(ResultCell.format(Effect.median(kernelGrace) / 1000)) ms for this kernel's synchronize_rcu (membarrier)")
        }
        if !deferred.isEmpty { text += "; the grace period before atomic mode is confirmed takes " + deferred.joined(separator: ", ") + ", paid by no caller" }
        return text + "."
    }
}
