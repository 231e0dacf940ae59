/// A name from one column of the results CSV (phase, op, metric): text only at the codec, a
/// distinct type everywhere else, so a phase can never be passed where an op is meant.
public protocol ColumnName: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible
where RawValue == String {}

extension ColumnName {
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
