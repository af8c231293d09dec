/// libcups's `ippTagString` names for tags. (Stub: to be completed to match libcups exactly.)
enum TagNames {
    static func valueTagName(_ tag: ValueTag) -> String { "0x" + String(tag.rawValue, radix: 16) }
    static func groupTagName(_ tag: GroupTag) -> String { "0x" + String(tag.rawValue, radix: 16) }
}
