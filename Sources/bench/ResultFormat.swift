import ArgumentParser
import Results

/// Output formats of a run.
enum ResultFormat: String, CaseIterable, ExpressibleByArgument {
    case csv, md, txt, json
}
