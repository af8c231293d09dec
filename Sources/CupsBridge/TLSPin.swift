import CCups
import Glibc

/// Trust on first use for an `ipps://` device, as CUPS's ipps backend does: the first
/// time ippgate reaches the device, the certificate it presents is saved as
/// `DIRECTORY/NAME.crt`; after that the device must present that certificate again, or
/// nothing is sent to it. Printers mostly have self-signed certificates, which no CA
/// vouches for; pinning turns "anyone on the path can print-intercept" into "only at the
/// first connection". A device that really got a new certificate is trusted again by
/// deleting the file (the error says which).
public struct TLSPin: Sendable {
    public let directory: String
    /// The file name's stem: the device's host and port, with every other character as "_".
    public let name: String

    public init(directory: String, host: String, port: Int) {
        self.directory = directory
        name = String("\(host)_\(port)".unicodeScalars.map { s -> Character in
            let v = s.value
            return (48...57).contains(v) || (65...90).contains(v) || (97...122).contains(v) ? Character(s) : "_"
        })
    }

    public var path: String { "\(directory)/\(name).crt" }

    /// Checks the certificate of the TLS connection `http` against the saved one, saving
    /// it if there is none yet.
    func check(_ http: OpaquePointer) throws(IPPClientError) {
        var presented: OpaquePointer? = nil
        guard httpCopyCredentials(http, &presented) == 0, let presented else {
            throw .untrusted("the device presented no TLS certificate")
        }
        defer { httpFreeCredentials(presented) }
        var saved: OpaquePointer? = nil
        if access(path, F_OK) == 0 {
            guard httpLoadCredentials(directory, &saved, name) == 0, let saved else {
                throw .untrusted("cannot read the trusted certificate \(path)")
            }
            defer { httpFreeCredentials(saved) }
            guard httpCompareCredentials(saved, presented) != 0 else {
                throw .untrusted("the device's TLS certificate is not the one trusted when it was first reached (\(path)); "
                                 + "if the device really has a new certificate, delete that file")
            }
            return
        }
        mkdir(directory, 0o700)
        guard httpSaveCredentials(directory, presented, name) == 0, access(path, F_OK) == 0 else {
            throw .untrusted("cannot save the device's TLS certificate as \(path)")
        }
    }
}
