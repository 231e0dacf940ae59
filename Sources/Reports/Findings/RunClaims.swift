import Results
/// "These results show:" as a reader gets it: at most `limit` claims, the kernel's first (what
/// a maintainer can cite), then the model's under a heading that says what the model is. A run
/// can produce more candidate claims than that; each has a priority, and the lowest go (the
/// tables keep their numbers), so the list stays one the reader finishes.
public struct RunClaims: Sendable {
    public static let limit = 12
    public static let modelHeading = "The model: the 2022 allocator design (per-program caches, immediate reuse), in user space:"

    public enum Group: Sendable { case kernel, model }

    /// One candidate claim: its text, which group it belongs to, and how much it matters.
    public struct Candidate: Sendable {
        public let text: String
        public let group: Group
        public let priority: Int
        public init(_ text: String, _ group: Group, priority: Int) {
            self.text = text
            self.group = group
            self.priority = priority
        }
    }

    public let kernel: [String]
    public let model: [String]
    public var all: [String] { kernel + model }

    public init(kernel: [String], model: [String]) {
        self.kernel = kernel
        self.model = model
    }

    /// The `limit` claims of highest priority (earlier first among equals), each group in the
    /// order it was given.
    public init(candidates: [Candidate], limit: Int = RunClaims.limit) {
        let kept = Set(candidates.indices.sorted { a, b in
            candidates[a].priority != candidates[b].priority ? candidates[a].priority > candidates[b].priority : a < b
        }.prefix(limit))
        let chosen = candidates.indices.filter(kept.contains).map { candidates[$0] }
        kernel = chosen.filter { $0.group == .kernel }.map(\.text)
        model = chosen.filter { $0.group == .model }.map(\.text)
    }

    /// Priorities: the kernel table's findings, then what the kernel pays once, safety,
    /// ownership, the projection; the model's live and after-kill claims; then context.
    enum Priority {
        static let native = 110
        static let kernelTable = 100
        static let oneOff = 90
        static let safety = 85
        static let ownership = 80
        static let projection = 75
        static let modelLive = 70
        static let modelAfterKill = 65
        static let hostEpisodes = 40
        static let notTestable = 20
    }
}
