import IPP
import Transport

/// Read access to a request's attributes, as the handlers need them.
struct Request {
    let ipp: IPPRequest
    var message: Message { ipp.message }
    var operation: Operation { ipp.message.operation }

    /// The first operation group (the router has checked there is exactly one, first).
    var operationGroup: AttributeGroup { message.groups[0] }

    func operationAttribute(_ name: String) -> Attribute? { operationGroup[name] }

    func string(_ name: String) -> String? { operationAttribute(name)?.firstValue?.stringValue }
    func integer(_ name: String) -> Int32? { operationAttribute(name)?.firstValue?.integerValue }
    func boolean(_ name: String) -> Bool? { operationAttribute(name)?.firstValue?.booleanValue }

    /// requesting-user-name, or "anonymous". (No authentication yet: the name is the client's word.)
    var userName: String {
        if let name = string("requesting-user-name"), !name.isEmpty { return name }
        return "anonymous"
    }

    /// The job attributes group, if the client sent one.
    var jobGroup: AttributeGroup? { message.groups.first { $0.tag == .job } }

    /// requested-attributes as a set of names, nil when absent (meaning the operation's default).
    var requestedAttributes: Set<String>? {
        guard let a = operationAttribute("requested-attributes") else { return nil }
        return Set(a.values.compactMap(\.stringValue))
    }
}
