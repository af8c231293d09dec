import Glibc

/// Plain POSIX threads. libcups's HTTP calls block, so every connection gets its own
/// thread, never a Swift-concurrency pool thread (DESIGN.md §12).
enum Threads {
    /// Owns the closure while it crosses into the new thread.
    private final class Start {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread running `body`.
    /// - Parameters:
    ///   - stackSize: bytes of stack (virtual memory; pages are touched only when used).
    ///   - joinable: if true, the returned id must be passed to `join`; otherwise the
    ///     thread is detached and cleans up after itself.
    /// - Returns: the thread id, or nil if the system refused to create a thread.
    static func spawn(stackSize: Int, joinable: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var attr = pthread_attr_t()
        guard pthread_attr_init(&attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        _ = pthread_attr_setstacksize(&attr, stackSize)
        _ = pthread_attr_setdetachstate(&attr, joinable ? Int32(PTHREAD_CREATE_JOINABLE) : Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }
}

/// Monotonic time in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Milliseconds with one decimal, without Foundation: 412_345 ns → "0.4".
func formatMilliseconds(_ ns: UInt64) -> String {
    let tenths = (ns + 50_000) / 100_000
    return "\(tenths / 10).\(tenths % 10)"
}

/// Sleeps for `ms` milliseconds (only for back-off and bounded waits, never to synchronise).
func sleepMilliseconds(_ ms: Int) {
    var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
