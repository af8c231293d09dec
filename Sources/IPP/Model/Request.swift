/// Building requests: the operation attributes every request starts with, in the order
/// RFC 8011 §4.1.4 requires (attributes-charset, attributes-natural-language first).
extension Message {
    /// A request with attributes-charset utf-8, attributes-natural-language en, then
    /// printer-uri and requesting-user-name when given.
    public static func request(_ operation: Operation, printerURI: String? = nil, user: String? = nil,
                               requestID: Int32 = 1, version: Version = .v2_0) -> Message {
        var m = Message(version: version, operation: operation, requestID: requestID)
        var op = [Attribute("attributes-charset", .charset("utf-8")),
                  Attribute("attributes-natural-language", .naturalLanguage("en"))]
        if let printerURI { op.append(Attribute("printer-uri", .uri(printerURI))) }
        if let user { op.append(Attribute("requesting-user-name", .name(user))) }
        m.groups = [AttributeGroup(tag: .operation, attributes: op)]
        return m
    }
}
