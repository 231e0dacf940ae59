import Foundation

/// The headers a BPF source includes from its own directory (`#include "x"`, transitively), so
/// the build cache key changes when any of them does: strategies.bpf.c is mostly its includes.
/// `<...>` includes and vmlinux.h come from the system and the kernel directory, which are
/// keyed separately (compiler path, BTF hash).
enum BPFIncludes {
    /// The contents of every local header `source` reaches, in first-reached order; a header
    /// that is not in `directory` is skipped (clang will name it if it is missing).
    static func local(of source: Data, in directory: String) -> [Data] {
        var seen: Set<String> = [], out: [Data] = [], pending = names(in: source)
        while !pending.isEmpty {
            let name = pending.removeFirst()
            guard seen.insert(name).inserted, let text = FileManager.default.contents(atPath: "\(directory)/\(name)") else { continue }
            out.append(text)
            pending += names(in: text)
        }
        return out
    }

    /// The quoted include names of one file, in order.
    static func names(in text: Data) -> [String] {
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        return lines.compactMap { line -> String? in
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard t.hasPrefix("#"), t.dropFirst().drop(while: { $0 == " " }).hasPrefix("include") else { return nil }
            let parts = t.split(separator: "\"", omittingEmptySubsequences: false)
            return parts.count >= 3 ? String(parts[1]) : nil
        }
    }
}
