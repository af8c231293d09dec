import CCups
import IPP

/// A blocking IPP client for the local admin socket (a Unix socket path), on libcups: requests
/// sent one at a time. Messages cross between ippgate's model and libcups's `ipp_t`
/// through their wire bytes. Used by the CLI (admin socket) and by tests.
public final class AdminSocketClient {
    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
    }

    private let http: OpaquePointer
    public let host: String

    /// Connects to `host` ("127.0.0.1") and `port`, or to a Unix socket when `host` is an absolute path.
    public init(host: String, port: Int, timeoutMilliseconds: Int32 = 30_000) throws {
        guard let http = httpConnect2(host, Int32(port), nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, timeoutMilliseconds, nil) else {
            throw ClientError(description: "cannot connect to \(host.hasPrefix("/") ? host : "\(host):\(port)"): \(String(cString: cupsLastErrorString()))")
        }
        self.http = http
        self.host = host
    }

    deinit { httpClose(http) }

    /// Sends `request` (plus optional document bytes) to `resource` and returns the response.
    public func send(_ request: Message, resource: String = "/", document: [UInt8]? = nil) throws -> Message {
        let ipp: LibcupsMessage
        do { ipp = try LibcupsMessage.decode(request.encoded()).0 } catch {
            throw ClientError(description: "libcups could not read the request: \(error)")
        }
        let length = document.map { $0.count } ?? 0
        var status = cupsSendRequest(http, ipp.ipp, resource, length)
        if status == HTTP_STATUS_CONTINUE, let document, !document.isEmpty {
            status = document.withUnsafeBytes { cupsWriteRequestData(http, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        }
        guard status == HTTP_STATUS_CONTINUE || status == HTTP_STATUS_OK else {
            throw ClientError(description: "request failed: HTTP \(status.rawValue): \(String(cString: cupsLastErrorString()))")
        }
        guard let response = cupsGetResponse(http, resource) else {
            throw ClientError(description: "no response: \(String(cString: cupsLastErrorString()))")
        }
        let bytes = LibcupsMessage(owning: response).encode()
        do { return try Message(decoding: bytes) } catch {
            throw ClientError(description: "malformed response: \(error)")
        }
    }
}
