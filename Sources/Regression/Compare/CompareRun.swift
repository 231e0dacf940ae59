import Results
/// Exit statuses of `bench compare` (sysexits for bad input).
public enum CompareExitStatus: Int32, Sendable {
    case noRegression = 0
    case regression = 2
    case usage = 64
    case dataError = 65
}

/// What `bench compare` prints and how it exits.
public struct CompareOutcome: Equatable, Sendable {
    /// The rendered comparison, for stdout.
    public var report: String
    /// One line each, for stderr.
    public var warnings: [String]
    public var exitStatus: CompareExitStatus
    public var comparison: Comparison
}

extension Comparison {
    /// Reads both results CSVs, compares them and renders the result: everything `bench compare`
    /// does except printing. Throws `ResultsCSVError` (exit 65) for unreadable or incompatible input.
    public static func run(basePath: String, newPath: String, options: ComparisonOptions = ComparisonOptions(),
                           format: ComparisonFormat = .txt) throws -> CompareOutcome {
        let base = try ResultsFileReader.read(basePath)
        let new = try ResultsFileReader.read(newPath)
        let comparison = try Comparison(base: base, baseFile: basePath, new: new, newFile: newPath, options: options)
        return CompareOutcome(report: comparison.rendered(as: format), warnings: comparison.warnings,
                              exitStatus: comparison.hasRegression ? .regression : .noRegression,
                              comparison: comparison)
    }
}
