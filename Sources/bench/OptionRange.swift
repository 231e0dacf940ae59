import ArgumentParser
import Foundation
import Results

/// A numeric option's range: what a person would type, checked before any work is done, so an
/// absurd value is one line and exit 64 instead of an overflow trap or an hour of work.
struct OptionRange<Value: Comparable & CustomStringConvertible> {
    let name: String
    let range: ClosedRange<Value>
    /// What the number counts, for the message ("seconds", "%").
    let unit: String

    func check(_ value: Value) throws {
        guard range.contains(value) else {
            let u = unit.isEmpty ? "" : " " + unit
            throw ValidationError("--\(name) must be \(Self.text(range.lowerBound))…\(Self.text(range.upperBound))\(u), got \(Self.text(value))")
        }
    }

    /// `1`, not `1.0`; `1e+11`, not `100000000000.0`.
    static func text(_ value: Value) -> String {
        guard let d = value as? Double else { return value.description }
        return d == d.rounded() && abs(d) < 1e7 ? String(Int(d)) : String(format: "%g", d)
    }

    func check(_ value: Value?) throws { if let value { try check(value) } }
}

extension OptionRange where Value == Double {
    /// The range check, with nan and ±inf refused in their own words.
    func checkFinite(_ value: Double?) throws {
        guard let value else { return }
        guard value.isFinite else { throw ValidationError("--\(name) must be a finite number, got \(value)") }
        try check(value)
    }
}
