import Results
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

/// Wraps prose to a column limit at spaces, indenting continuation lines. A word longer than a
/// whole line (a cgroup path) is cut after a `/` where it can be, else at the limit: mail
/// clients re-wrap long lines badly, and the limit holds for every line.
enum TextWrap {
    static func wrap(_ text: String, width: Int, firstPrefix: String = "", restPrefix: String = "") -> [String] {
        var lines: [String] = []
        var current = firstPrefix
        var words = text.split(separator: " ").map(String.init)
        var i = 0
        while i < words.count {
            let word = words[i]
            let bare = current == firstPrefix || current == restPrefix
            let sep = bare ? "" : " "
            if current.count + sep.count + word.count <= width {
                current += sep + word
                i += 1
            } else if !bare {
                lines.append(current)
                current = restPrefix
            } else {
                // Alone on its line and still too long: cut it, the rest goes on the next line.
                let (head, tail) = cut(word, room: max(width - current.count, 1))
                lines.append(current + head)
                current = restPrefix
                words[i] = tail
            }
        }
        if !current.trimmingCharacters().isEmpty { lines.append(current) }
        return lines
    }

    /// `word` split so its head fits `room` characters: after the last `/` that fits, else at `room`.
    static func cut(_ word: String, room: Int) -> (String, String) {
        let chars = Array(word)
        var at = max(1, min(room, chars.count - 1))
        if let slash = chars[..<at].lastIndex(of: "/"), slash > 0 { at = slash + 1 }
        return (String(chars[..<at]), String(chars[at...]))
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
