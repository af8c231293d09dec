// A small JSON codec for the two shapes the store keeps as text: an array of strings
// (job-state-reasons) and an object of strings (printer settings). Hand-written so that
// listing jobs does not go through Foundation; it reads any valid JSON of those shapes
// (including what SQLite's json functions write), and rejects anything else.

public enum JSONText {
    /// A JSON string literal (also used by the CLI's `--json` output).
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }

    static func encode(_ array: [String]) -> String {
        var out = "["
        for (i, s) in array.enumerated() {
            if i > 0 { out += "," }
            appendString(s, to: &out)
        }
        out += "]"
        return out
    }

    /// Keys sorted, so equal dictionaries are stored as equal text.
    static func encode(_ object: [String: String]) -> String {
        var out = "{"
        for (i, key) in object.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(object[key]!, to: &out)
        }
        out += "}"
        return out
    }

    static func decodeArray(_ text: String) -> [String]? {
        if text == "[]" { return [] }
        var p = Parser(Array(text.utf8))
        guard p.skipSpace(), p.eat(UInt8(ascii: "[")) else { return nil }
        var result: [String] = []
        p.skipSpace()
        if p.eat(UInt8(ascii: "]")) { return p.atEnd() ? result : nil }
        while true {
            p.skipSpace()
            guard let s = p.string() else { return nil }
            result.append(s)
            p.skipSpace()
            if p.eat(UInt8(ascii: ",")) { continue }
            if p.eat(UInt8(ascii: "]")) { break }
            return nil
        }
        return p.atEnd() ? result : nil
    }

    static func decodeObject(_ text: String) -> [String: String]? {
        if text == "{}" { return [:] }
        var p = Parser(Array(text.utf8))
        guard p.skipSpace(), p.eat(UInt8(ascii: "{")) else { return nil }
        var result: [String: String] = [:]
        p.skipSpace()
        if p.eat(UInt8(ascii: "}")) { return p.atEnd() ? result : nil }
        while true {
            p.skipSpace()
            guard let key = p.string() else { return nil }
            p.skipSpace()
            guard p.eat(UInt8(ascii: ":")) else { return nil }
            p.skipSpace()
            guard let value = p.string() else { return nil }
            result[key] = value
            p.skipSpace()
            if p.eat(UInt8(ascii: ",")) { continue }
            if p.eat(UInt8(ascii: "}")) { break }
            return nil
        }
        return p.atEnd() ? result : nil
    }

    private static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        @discardableResult
        mutating func skipSpace() -> Bool {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
            return true
        }

        mutating func eat(_ c: UInt8) -> Bool {
            if i < b.count, b[i] == c { i += 1; return true }
            return false
        }

        mutating func atEnd() -> Bool {
            skipSpace()
            return i == b.count
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }

        mutating func string() -> String? {
            guard eat(UInt8(ascii: "\"")) else { return nil }
            var bytes: [UInt8] = []
            while i < b.count {
                let c = b[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(decoding: bytes, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < b.count else { return nil }
                    let e = b[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var v = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(v) {
                            // A high surrogate must be followed by \u and a low surrogate.
                            guard eat(UInt8(ascii: "\\")), eat(UInt8(ascii: "u")), let lo = hex4(),
                                  (0xDC00..<0xE000).contains(lo) else { return nil }
                            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(v) {
                            return nil
                        }
                        guard let scalar = Unicode.Scalar(v) else { return nil }
                        bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                default:
                    if c < 0x20 { return nil }
                    bytes.append(c)
                }
            }
            return nil
        }
    }
}
