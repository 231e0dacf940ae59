import Results
/// A strategy that is another's allocation back end, not a lifetime answer of its own: the
/// safety tables fold its verdicts into its lifetime's row when no scenario tells them apart.
public struct BackEnd: Sendable, Equatable {
    public let strategy: String
    public let lifetime: String
    public let why: String

    /// Delyan's fixed-size path sits under lazy's used_allocators: same lifetime, other slabs.
    public static let known = [
        BackEnd(strategy: "kmem-cache", lifetime: "lazy", why: "the fixed-size path under used_allocators"),
    ]
}
