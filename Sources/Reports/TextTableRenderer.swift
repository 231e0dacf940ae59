/// Renders report tables as pipe tables: markdown (`| a | b |` with a `|---|` rule) or the
/// bpf list's plain-text pipe tables with right-aligned numbers.
enum TextTableRenderer {
    static func markdown(_ t: ReportSections.Table) -> String {
        var lines = ["| " + t.header.joined(separator: " | ") + " |",
                     "|" + t.header.enumerated().map { i, _ in i == 0 ? "---" : "---:" }.joined(separator: "|") + "|"]
        for r in t.rows { lines.append("| " + r.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }

    static func plain(_ t: ReportSections.Table) -> String {
        var widths = t.header.map(\.count)
        for r in t.rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i == 0 ? c + pad : pad + c
            }.joined(separator: " | ")
        }
        var out = [line(t.header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        for r in t.rows { out.append(line(r)) }
        return out.joined(separator: "\n")
    }
}

/// Wraps prose to a column limit at spaces, indenting continuation lines.
enum TextWrap {
    static func wrap(_ text: String, width: Int, firstPrefix: String = "", restPrefix: String = "") -> [String] {
        var lines: [String] = []
        var current = firstPrefix
        for word in text.split(separator: " ") {
            let sep = current == firstPrefix || current == restPrefix ? "" : " "
            if current.count + sep.count + word.count > width && current != firstPrefix && current != restPrefix {
                lines.append(current)
                current = restPrefix + word
            } else {
                current += sep + word
            }
        }
        if !current.trimmingCharacters().isEmpty { lines.append(current) }
        return lines
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
