/// Decodes a message from bytes that arrive in chunks of any size.
///
/// `feed` buffers only the attribute section. It finds the end-of-attributes-tag by
/// following the tag/length framing, resuming where the last chunk stopped, so the
/// work stays linear however the bytes are split. Once the end is found it decodes the
/// buffered section and reports how much of the final chunk belonged to the message:
/// the rest of that chunk, and everything after it, is document data it never touches.
public struct IncrementalDecoder: Sendable {
    public enum Result: Sendable {
        /// The message is not complete yet; feed more bytes.
        case needMoreBytes
        /// The message is complete. `consumed` bytes of the last chunk belonged to it;
        /// document data begins at `documentOffset` in the whole stream.
        case message(Message, documentOffset: Int, consumed: Int)
    }

    public let limits: DecoderLimits
    private var buffer: [UInt8] = []
    /// Offset of the next unscanned item (the header is one item).
    private var scanned = 0
    private var finished = false

    public init(limits: DecoderLimits = .default) {
        self.limits = limits
    }

    /// Bytes buffered so far (the attribute section only).
    public var bufferedCount: Int { buffer.count }

    public mutating func feed(_ chunk: some Collection<UInt8>) throws(DecodeError) -> Result {
        precondition(!finished, "feed called after the message was complete")
        let before = buffer.count
        buffer.append(contentsOf: chunk)
        guard let end = try scan() else {
            if buffer.count > limits.maxMessageBytes {
                throw DecodeError(.limitExceeded, at: limits.maxMessageBytes, "attributes exceed the \(limits.maxMessageBytes)-byte message limit")
            }
            return .needMoreBytes
        }
        buffer.removeSubrange(end...)
        finished = true
        let (message, _) = try Message.decode(buffer, limits: limits)
        return .message(message, documentOffset: end, consumed: end - before)
    }

    /// Signals that the stream ended. Throws the decoder's error for the truncated message.
    public func finish() throws(DecodeError) {
        if finished { return }
        _ = try Message.decode(buffer, limits: limits) // always throws: the message is incomplete
        throw DecodeError(.truncated, at: buffer.count, "message ends before end-of-attributes-tag")
    }

    /// Advances over complete items. Returns the offset just past end-of-attributes-tag, if seen.
    private mutating func scan() throws(DecodeError) -> Int? {
        let n = buffer.count
        if scanned == 0 {
            guard n >= 8 else { return nil }
            scanned = 8
        }
        while scanned < n {
            let tag = buffer[scanned]
            if tag < 0x10 {
                scanned += 1
                if tag == GroupTag.endOfAttributes.rawValue { return scanned }
                continue
            }
            guard scanned + 3 <= n else { return nil }
            let nameEnd = scanned + 3 + (Int(buffer[scanned + 1]) << 8 | Int(buffer[scanned + 2]))
            guard nameEnd + 2 <= n else { return nil }
            let valueEnd = nameEnd + 2 + (Int(buffer[nameEnd]) << 8 | Int(buffer[nameEnd + 1]))
            guard valueEnd <= n else { return nil }
            scanned = valueEnd
        }
        return nil
    }
}
