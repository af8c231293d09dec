/// Annotated hex for tests: `hex("01 01 # version 1.1")`. `#` starts a comment to end of line;
/// `"text"` adds the UTF-8 bytes of text.
public func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for rawLine in s.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = Substring(rawLine)
        // Strip the comment, but not a '#' inside a quoted string.
        var inQuote = false
        var cut = line.endIndex
        for i in line.indices {
            if line[i] == "\"" { inQuote.toggle() }
            if line[i] == "#" && !inQuote { cut = i; break }
        }
        line = line[..<cut]
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if c == " " || c == "\t" { i = line.index(after: i); continue }
            if c == "\"" {
                let close = line[line.index(after: i)...].firstIndex(of: "\"")!
                out.append(contentsOf: line[line.index(after: i)..<close].utf8)
                i = line.index(after: close)
                continue
            }
            let j = line.index(i, offsetBy: 2)
            out.append(UInt8(line[i..<j], radix: 16)!)
            i = j
        }
    }
    return out
}
