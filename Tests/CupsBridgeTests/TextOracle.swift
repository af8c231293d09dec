import CupsBridge
import IPP
import Testing

// Reusable comparison of ippgate's text form with libcups's (the oracle).
// Fixture-wide tests can call `compareText(bytes:)` or `assertSameText(bytes:)`.

/// The outcome of comparing the two text forms of one message.
enum TextComparison: CustomStringConvertible {
    /// Both read the message and the text is byte-identical.
    case same(lines: Int)
    /// Both read it; the text differs (first differing line shown).
    case different(String)
    /// Both read it, but they disagree on where document data begins.
    case differentOffset(ippgate: Int, libcups: Int)
    /// libcups refused the message (nothing to compare); ippgate may or may not have read it.
    case libcupsRejected(LibcupsMessage.DecodeError, ippgateAccepted: Bool)
    /// libcups read the message but ippgate's decoder refused it.
    case ippgateRejected(DecodeError)

    var isSame: Bool { if case .same = self { return true } else { return false } }

    var description: String {
        switch self {
        case .same(let n): return "same (\(n) lines)"
        case .different(let d): return "text differs: \(d)"
        case .differentOffset(let a, let b): return "document offset differs: ippgate \(a), libcups \(b)"
        case .libcupsRejected(let e, let ok): return "libcups rejected (\(e)); ippgate \(ok ? "accepted" : "rejected")"
        case .ippgateRejected(let e): return "ippgate rejected what libcups read: \(e)"
        }
    }
}

/// Decodes `bytes` with ippgate's decoder and with libcups, and compares the text forms.
func compareText(bytes: [UInt8], defaultLanguage: String = "en") -> TextComparison {
    let ours: Result<(message: Message, documentOffset: Int), DecodeError>
    do throws(DecodeError) { ours = .success(try Message.decode(bytes)) } catch { ours = .failure(error) }
    let theirs: (LibcupsMessage, documentOffset: Int)
    do {
        theirs = try LibcupsMessage.decode(bytes)
    } catch {
        if case .success = ours { return .libcupsRejected(error, ippgateAccepted: true) }
        return .libcupsRejected(error, ippgateAccepted: false)
    }
    let (message, offset): (Message, Int)
    switch ours {
    case .success(let r): (message, offset) = r
    case .failure(let e): return .ippgateRejected(e)
    }
    if let d = firstDifference(message.textLines(defaultLanguage: defaultLanguage), theirs.0.textLines()) {
        return .different(d)
    }
    if offset != theirs.documentOffset { return .differentOffset(ippgate: offset, libcups: theirs.documentOffset) }
    return .same(lines: 1 + message.groups.reduce(0) { $0 + 1 + $1.attributes.count })
}

/// Expects ippgate and libcups to both read `bytes` and to print the same text.
func assertSameText(bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let result = compareText(bytes: bytes)
    #expect(result.isSame, "\(result)", sourceLocation: sourceLocation)
}

/// Expects libcups, reading `message.encoded()`, to print exactly `message.textLines()`.
/// If ippgate's decoder also reads those bytes, its decoded message must print the same.
/// Returns libcups's lines (empty if libcups refused the bytes).
@discardableResult
func assertSameText(_ message: Message, defaultLanguage: String = "en",
                    sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    let bytes = message.encoded()
    let cups: LibcupsMessage
    do {
        cups = try LibcupsMessage.decode(bytes).0
    } catch {
        Issue.record("libcups refused the message: \(error)", sourceLocation: sourceLocation)
        return []
    }
    let expected = cups.textLines()
    if let d = firstDifference(message.textLines(defaultLanguage: defaultLanguage), expected) {
        Issue.record("formatter differs from libcups: \(d)", sourceLocation: sourceLocation)
    }
    if let decoded = try? Message.decode(bytes).message,
       let d = firstDifference(decoded.textLines(defaultLanguage: defaultLanguage), expected) {
        Issue.record("decode + formatter differs from libcups: \(d)", sourceLocation: sourceLocation)
    }
    return expected
}

/// Expects libcups to refuse the message's bytes (so there is no text to match).
func expectLibcupsRejects(_ message: Message, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = message.encoded()
    if let (cups, _) = try? LibcupsMessage.decode(bytes) {
        Issue.record("libcups read the message: \(cups.textLines())", sourceLocation: sourceLocation)
    }
}

/// libcups's text for a message's bytes, or nil if it refuses them.
func libcupsLines(_ message: Message) -> [String]? {
    (try? LibcupsMessage.decode(message.encoded()))?.0.textLines()
}

/// A description of the first line where the two differ, comparing UTF-8 bytes
/// (String equality would hide differences in Unicode normalization).
func firstDifference(_ ours: [String], _ theirs: [String]) -> String? {
    for i in 0..<max(ours.count, theirs.count) {
        let a = i < ours.count ? ours[i] : nil
        let b = i < theirs.count ? theirs[i] : nil
        if a.map({ Array($0.utf8) }) != b.map({ Array($0.utf8) }) {
            return "line \(i + 1):\n  ippgate: \(a.map { debugQuote($0) } ?? "(none)")\n  libcups: \(b.map { debugQuote($0) } ?? "(none)")"
        }
    }
    return nil
}

private func debugQuote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        if u.value < 0x20 || u.value == 0x7F { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
    }
    return out + "\""
}

// MARK: - Building messages

/// A printer-attributes response whose operation group starts with charset and
/// natural language (so the natural language is the message's second attribute).
func response(_ printer: [Attribute], language: String = "fr-CA") -> Message {
    Message(status: StatusCode(0), requestID: 1, groups: [
        AttributeGroup(tag: .operation, attributes: [
            Attribute("attributes-charset", .charset("utf-8")),
            Attribute("attributes-natural-language", .naturalLanguage(language)),
        ]),
        AttributeGroup(tag: .printer, attributes: printer),
    ])
}

func raw(_ tag: UInt8, _ bytes: [UInt8]) -> Value { Value(tag: ValueTag(tag), bytes: bytes[...]) }

func member(_ name: String, _ values: Value...) -> Attribute { Attribute(name, values) }

func dateBytes(_ year: UInt16, _ month: UInt8, _ day: UInt8, _ h: UInt8, _ m: UInt8, _ s: UInt8,
               _ ds: UInt8 = 0, _ dir: UInt8 = 0x2B, _ oh: UInt8 = 0, _ om: UInt8 = 0) -> Value {
    .dateTime(DateTime(year: year, month: month, day: day, hour: h, minutes: m, seconds: s,
                       deciSeconds: ds, utcDirection: dir, utcHours: oh, utcMinutes: om))
}
