/// Output formats of a run.
enum ResultFormat: String, CaseIterable {
    case csv, md, txt, json

    /// `csv,md` → formats, each once; usage error naming the valid ones.
    static func parse(_ text: String) throws -> [ResultFormat] {
        OptionList.unique(try OptionList.split(text, what: "format").map {
            guard let f = ResultFormat(rawValue: $0) else {
                throw BenchError.usage("unknown format '\($0)' (valid: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return f
        })
    }
}
