import ArgumentParser
import Results

/// What one comma-separated list option accepts, and how it words a bad value.
protocol ListOption {
    associatedtype Element: ExpressibleByArgument, CaseIterable, Hashable, RawRepresentable
    where Element.RawValue == String
    /// The noun of "empty strategy list: give at least one strategy".
    static var noun: String { get }
    /// Whether `all` names every element (formats have no `all`).
    static var acceptsAll: Bool { get }
    /// The one line for a name that is no element; `valid` lists the names, `all` included.
    static func unknown(_ name: String, valid: String) -> String
}

extension ListOption {
    static var acceptsAll: Bool { true }
    static func unknown(_ name: String, valid: String) -> String { "unknown \(noun) '\(name)' (valid: \(valid))" }
}

/// `--strategy atomic,lazy`, `--format csv,md`: the items in the order named, `all` kept as an
/// item (a run expands it against what this machine has). `--help` lists the choices.
///
/// A bad value is kept, not refused, and its owner's `validate()` throws today's one line:
/// a failing `init?` cannot say what is wrong, and would win over `--help`.
struct CommaList<Names: ListOption>: ExpressibleByArgument {
    enum Item: Hashable {
        case all
        case one(Names.Element)
    }

    private let parsed: Result<[Item], BenchError>

    init(_ items: [Item]) { parsed = .success(items) }

    static var all: CommaList { CommaList([.all]) }

    init?(argument: String) {
        do { parsed = .success(try Self.parse(argument)) } catch let e as BenchError { parsed = .failure(e) } catch {
            parsed = .failure(BenchError.usage("\(error)"))
        }
    }

    /// The usage error of a bad value, as one line (ArgumentParser prints only a message's first).
    func validate() throws {
        if case .failure(let e) = parsed { throw ValidationError(BenchError.oneLine(e.message)) }
    }

    /// The items named; only after `validate()`.
    var items: [Item] {
        switch parsed {
        case .success(let items): return items
        case .failure(let e): preconditionFailure("list option read without validate(): \(e)")
        }
    }

    /// Every element named, `all` expanded, each once, in the order named.
    var elements: [Names.Element] {
        OptionList.unique(
            items.flatMap { item -> [Names.Element] in
                switch item {
                case .all: return Array(Names.Element.allCases)
                case .one(let element): return [element]
                }
            })
    }

    static var allValueStrings: [String] {
        Names.Element.allCases.map(\.rawValue) + (Names.acceptsAll ? ["all"] : [])
    }

    var defaultValueDescription: String {
        items.map { item in
            switch item {
            case .all: return "all"
            case .one(let element): return element.rawValue
            }
        }.joined(separator: ",")
    }

    /// The items, or the one-line usage error today's CLI prints for them.
    static func parse(_ text: String) throws -> [Item] {
        try OptionList.split(text, what: Names.noun).map { name in
            if Names.acceptsAll && name == "all" { return .all }
            guard let element = Names.Element(argument: name) else {
                throw BenchError.usage(Names.unknown(name, valid: allValueStrings.joined(separator: ", ")))
            }
            return .one(element)
        }
    }
}
