// libFuzzer entry point for the IPP codec. Built by Fuzz/run.sh together with the
// IPP module's sources into one binary: see docs/FUZZING.md.
//
// Invariants checked on every input:
//  - decoding never crashes; it returns a message or a DecodeError;
//  - a decoded message re-encodes to exactly the bytes it was decoded from;
//  - the incremental decoder, fed in small chunks, agrees with the one-shot decoder;
//  - the text formatter handles whatever the decoder accepted.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIPP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = DecoderLimits(maxMessageBytes: 1 << 20)
    let oneShot = try? Message.decode(bytes, limits: limits)

    var incremental = IncrementalDecoder(limits: limits)
    var chunkResult: (Message, Int)? = nil
    var i = 0
    feeding: while i < bytes.count {
        let chunk = bytes[i..<min(i + 7, bytes.count)]
        switch try? incremental.feed(chunk) {
        case .message(let m, let offset, _)?: chunkResult = (m, offset); break feeding
        case .needMoreBytes?: i += 7
        case nil: break feeding
        }
    }

    guard let (message, offset) = oneShot else {
        if chunkResult != nil { fatalError("incremental decoder accepted what the one-shot decoder rejected") }
        return 0
    }
    let encoded = message.encoded()
    if encoded != Array(bytes[..<offset]) { fatalError("re-encoding differs from the input") }
    guard let (m2, o2) = chunkResult, o2 == offset, m2.encoded() == encoded else {
        fatalError("incremental decoder disagrees with the one-shot decoder")
    }
    _ = message.formatted()
    return 0
}
