import Foundation

/// Structured, one-line log records: `2026-12-03T14:22:33Z info message key=value …`.
/// Passed in, never global, so tests can capture what is logged.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["debug", "info", "warning", "error"][rawValue] }
    }
    public let minimum: Level
    let sink: @Sendable (String) -> Void

    public init(minimum: Level = .info, sink: @escaping @Sendable (String) -> Void) {
        self.minimum = minimum
        self.sink = sink
    }

    /// Lines to standard error.
    public static func standardError(minimum: Level = .info) -> Logger {
        Logger(minimum: minimum) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public static let discard = Logger(minimum: .error) { _ in }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimum else { return }
        sink("\(Logger.timestamp()) \(level.name) \(message())")
    }
    /// A line that already names its level (the transport's request lines): only the time is added.
    public func line(_ text: String) {
        sink("\(Logger.timestamp()) \(text)")
    }
    public func debug(_ m: @autoclosure () -> String) { log(.debug, m()) }
    public func info(_ m: @autoclosure () -> String) { log(.info, m()) }
    public func warning(_ m: @autoclosure () -> String) { log(.warning, m()) }
    public func error(_ m: @autoclosure () -> String) { log(.error, m()) }

    static func timestamp() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
    }
}
