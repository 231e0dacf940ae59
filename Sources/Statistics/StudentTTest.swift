import Foundation

/// The two-sided two-sample Student t-test (pooled variance), from means and standard
/// deviations: what Otava's change-point significance check calls,
/// `scipy.stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2)` with equal variances.
public enum StudentTTest {
    /// Two-sided p-value. Two identical constant samples give 1 (scipy: nan); two different
    /// constant samples give 0.
    public static func pValue(mean1: Double, std1: Double, count1: Int, mean2: Double, std2: Double, count2: Int) -> Double {
        let n1 = Double(count1), n2 = Double(count2)
        let df = n1 + n2 - 2
        guard df > 0 else { return 1 }
        let pooledVariance = ((n1 - 1) * std1 * std1 + (n2 - 1) * std2 * std2) / df
        let standardError = (pooledVariance * (1 / n1 + 1 / n2)).squareRoot()
        let difference = mean1 - mean2
        guard standardError > 0 else { return difference == 0 ? 1 : 0 }
        let t = difference / standardError
        return twoSidedP(t: t, degreesOfFreedom: df)
    }

    /// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
    public static func twoSidedP(t: Double, degreesOfFreedom df: Double) -> Double {
        if t.isInfinite { return 0 }
        return min(1, max(0, regularizedIncompleteBeta(a: df / 2, b: 0.5, x: df / (df + t * t))))
    }

    /// I_x(a, b), by the continued fraction of the incomplete beta function (modified Lentz),
    /// on the side of x where it converges fast.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(a: a, b: b, x: x) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(a: b, b: a, x: 1 - x) / b
    }

    static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-15
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            // Even step, then odd step, of the continued fraction's coefficients.
            var numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
