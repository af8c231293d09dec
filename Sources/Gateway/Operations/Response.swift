import IPP

/// Builds a response: status, the standard operation attributes, the unsupported
/// group, and the object groups. A handler raises the status as it finds problems.
struct Response {
    var message: Message
    var statusMessage: String?
    private var unsupported: [Attribute] = []
    private var objectGroups: [AttributeGroup] = []

    init(to request: Message, status: StatusCode = .successfulOk) {
        // Answer in the request's version (the router only lets supported versions through).
        message = Message(version: request.version, status: status, requestID: request.requestID)
    }

    var status: StatusCode {
        get { message.status }
        set { message.code = newValue.rawValue }
    }

    /// A failure status with a human message.
    static func error(_ status: StatusCode, _ text: String, to request: Message) -> Response {
        var r = Response(to: request, status: status)
        r.statusMessage = text
        return r
    }

    /// Records an attribute the printer does not support, or a value it does not
    /// support (RFC 8011 §4.1.7). With no supported value to report, the value is
    /// the out-of-band `unsupported`.
    mutating func reject(_ attribute: Attribute, keepValues: Bool = true) {
        if keepValues {
            unsupported.append(attribute)
        } else {
            unsupported.append(Attribute(nameBytes: attribute.nameBytes, values: [.outOfBand(.unsupported)]))
        }
    }

    /// This response, failed with `error` (keeping any unsupported attributes already recorded).
    func failing(_ error: IPPError) -> Response {
        var r = self
        r.status = error.status
        r.statusMessage = error.message
        return r
    }

    var hasUnsupported: Bool { !unsupported.isEmpty }

    mutating func addGroup(_ tag: GroupTag, _ attributes: [Attribute]) {
        objectGroups.append(AttributeGroup(tag: tag, attributes: attributes))
    }

    /// The finished message: operation group, unsupported group, then object groups.
    func build() -> Message {
        var m = message
        var op: [Attribute] = [
            Attribute("attributes-charset", .charset("utf-8")),
            Attribute("attributes-natural-language", .naturalLanguage("en")),
        ]
        if let statusMessage {
            op.append(Attribute("status-message", .text(statusMessage.truncatedUTF8(255))))
        }
        m.groups = [AttributeGroup(tag: .operation, attributes: op)]
        if !unsupported.isEmpty { m.groups.append(AttributeGroup(tag: .unsupported, attributes: unsupported)) }
        m.groups += objectGroups
        return m
    }
}

/// A handler's failure: an IPP status and a message for the client.
public struct IPPError: Error, Sendable {
    public var status: StatusCode
    public var message: String
    public init(_ status: StatusCode, _ message: String) {
        self.status = status
        self.message = message
    }
}

extension String {
    /// At most `max` bytes of UTF-8, never cutting a character.
    func truncatedUTF8(_ max: Int) -> String {
        if utf8.count <= max { return self }
        var out = ""
        for ch in self {
            if out.utf8.count + String(ch).utf8.count > max { break }
            out.append(ch)
        }
        return out
    }
}
