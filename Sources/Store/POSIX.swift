#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum POSIX {
    /// mkdir -p: creates missing components with `mode`; existing directories are left as they are.
    static func makeDirectories(_ path: String, mode: mode_t) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            if mkdir(prefix, mode) != 0 {
                let err = errno
                var st = stat()
                if err == EEXIST, stat(prefix, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    // exists: fine
                } else {
                    throw StoreError.posix("cannot create directory \(prefix)", errno: err)
                }
            }
            prefix += "/"
        }
    }

    /// The canonical absolute path of an existing path.
    static func realPath(_ path: String) throws -> String {
        guard let p = realpath(path, nil) else { throw StoreError.posix("cannot resolve \(path)", errno: errno) }
        defer { free(p) }
        return String(cString: p)
    }

    /// fsync of a directory, so that names created (or removed) in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.posix("cannot open directory \(path)", errno: errno) }
        defer { close(fd) }
        while fsync(fd) != 0 {
            let err = errno
            if err == EINTR { continue }
            throw StoreError.posix("cannot sync directory \(path)", errno: err)
        }
    }

    /// The names in a directory (without "." and "..").
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw StoreError.posix("cannot list directory \(path)", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
