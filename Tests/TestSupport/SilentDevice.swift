import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A "printer" that takes connections (the kernel queues them) and never says a word:
/// how an unreachable device behind a firewall or asleep on the network looks to a client,
/// which waits until its time-out.
public final class SilentDevice: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Peers.Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else { close(fd); throw Peers.Failure("bind/listen: \(errno)") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public var uri: String { "ipp://127.0.0.1:\(port)/ipp/print" }

    deinit { close(fd) }
}
