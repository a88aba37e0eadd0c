/// Escaping for XML, HTML and Markdown tables; one place so every writer escapes alike.
enum Markup {
    /// Escapes the five XML special characters; safe for element text and quoted attributes.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even when escaped; drop them.
                if scalar.value < 0x20, scalar != "\n", scalar != "\t", scalar != "\r" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func html(_ s: String) -> String { xml(s) }

    /// Makes text safe inside a Markdown table cell.
    static func mdCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Renders a GitHub-flavoured Markdown table; `right` marks right-aligned columns.
    static func mdTable(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> String {
        var lines = ["| " + header.map(mdCell).joined(separator: " | ") + " |"]
        lines.append("|" + header.indices.map { right.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|")
        for row in rows { lines.append("| " + row.map(mdCell).joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }
}
