import Glibc

/// A bound, listening socket.
struct Listener: Sendable {
    let fd: Int32
    /// The address actually bound (the kernel's port when port 0 was asked for).
    let address: ListenAddress
    /// The address as configured, for messages.
    let configured: ListenAddress
    var isUnix: Bool { if case .unix = address { return true } else { return false } }
}

/// Creates listening sockets with plain Glibc calls: TCP (IPv4 and IPv6, SO_REUSEADDR,
/// IPv6-only for v6 sockets so "[::]" and "0.0.0.0" can both be bound) and Unix-domain
/// (a stale socket file is removed first; the socket is chmod 0600).
/// Every socket is close-on-exec and non-blocking (the accept loop polls first).
enum ListenerFactory {
    static let backlog: Int32 = SOMAXCONN

    /// Binds and listens. A host name may resolve to several addresses: each gets a listener.
    static func open(_ address: ListenAddress) throws(TransportError) -> [Listener] {
        switch address {
        case .tcp(let host, let port): return try openTCP(host: host, port: port, configured: address)
        case .unix(let path): return [try openUnix(path: path, configured: address)]
        }
    }

    private static func openTCP(host: String, port: Int, configured: ListenAddress) throws(TransportError) -> [Listener] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .badAddress(address: configured, reason: "cannot resolve \"\(host)\": \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }

        var listeners: [Listener] = []
        var seen: Set<String> = []
        var chosenPort = port
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        do throws(TransportError) {
            while let ai = cursor {
                cursor = ai.pointee.ai_next
                let family = ai.pointee.ai_family
                guard family == AF_INET || family == AF_INET6, let sa = ai.pointee.ai_addr else { continue }
                // With port 0 and several addresses, the later ones take the first one's port.
                if chosenPort != port { setPort(sa, family: family, port: chosenPort) }
                let numeric = numericHost(sa, length: ai.pointee.ai_addrlen)
                guard seen.insert(numeric).inserted else { continue }

                let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                guard fd >= 0 else { throw .listen(address: configured, step: "socket", errno: errno) }
                var one: Int32 = 1
                _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                if family == AF_INET6 {
                    _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
                }
                if bind(fd, sa, ai.pointee.ai_addrlen) != 0 {
                    let e = errno
                    close(fd)
                    throw .listen(address: configured, step: "bind", errno: e)
                }
                if Glibc.listen(fd, backlog) != 0 {
                    let e = errno
                    close(fd)
                    throw .listen(address: configured, step: "listen", errno: e)
                }
                let actualPort = boundPort(fd)
                if chosenPort == 0 { chosenPort = actualPort }
                listeners.append(Listener(fd: fd, address: .tcp(host: numeric, port: actualPort), configured: configured))
            }
        } catch {
            for l in listeners { close(l.fd) }
            throw error
        }
        guard !listeners.isEmpty else {
            throw .badAddress(address: configured, reason: "\"\(host)\" has no IPv4 or IPv6 address")
        }
        return listeners
    }

    private static func openUnix(path: String, configured: ListenAddress) throws(TransportError) -> Listener {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else {
            throw .badAddress(address: configured, reason: "the path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)

        // A socket file left by a previous run is removed; a live server or a non-socket is an error.
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw .badAddress(address: configured, reason: "the path exists and is not a socket")
            }
            if isLive(&addr, length: length) {
                throw .listen(address: configured, step: "bind", errno: EADDRINUSE)
            }
            if unlink(path) != 0 { throw .listen(address: configured, step: "unlink", errno: errno) }
        }

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .listen(address: configured, step: "socket", errno: errno) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        if bound != 0 {
            let e = errno
            close(fd)
            throw .listen(address: configured, step: "bind", errno: e)
        }
        // The socket exists with the umask's mode for an instant; with the usual umask 022
        // nobody else may connect (connecting needs write permission) even then.
        if chmod(path, 0o600) != 0 {
            let e = errno
            close(fd)
            unlink(path)
            throw .listen(address: configured, step: "chmod", errno: e)
        }
        if Glibc.listen(fd, backlog) != 0 {
            let e = errno
            close(fd)
            unlink(path)
            throw .listen(address: configured, step: "listen", errno: e)
        }
        return Listener(fd: fd, address: configured, configured: configured)
    }

    /// True when something accepts connections on the Unix socket.
    private static func isLive(_ addr: inout sockaddr_un, length: socklen_t) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) }
        }
        return rc == 0
    }

    private static func setPort(_ sa: UnsafeMutablePointer<sockaddr>, family: Int32, port: Int) {
        if family == AF_INET {
            sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian) }
        } else {
            sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian) }
        }
    }

    private static func numericHost(_ sa: UnsafePointer<sockaddr>, length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(sa, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "?" }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return 0 }
        return SocketAddress.port(of: &storage)
    }
}

/// Reading sockaddr_storage without Foundation.
enum SocketAddress {
    static func port(of storage: inout sockaddr_storage) -> Int {
        withUnsafePointer(to: &storage) { p -> Int in
            switch Int32(p.pointee.ss_family) {
            case AF_INET: return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6: return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default: return 0
            }
        }
    }

    /// "127.0.0.1:40512", "[::1]:40512", or nil for a non-IP peer.
    static func peerString(fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        let family = Int32(storage.ss_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        var host = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafePointer(to: &storage) { p in
            if family == AF_INET {
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &a, &host, socklen_t(host.count))
                }
            } else {
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var a = sin6.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &a, &host, socklen_t(host.count))
                }
            }
        }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let port = port(of: &storage)
        return family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}
