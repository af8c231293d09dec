import Glibc
import Synchronization

/// The part of a connection that `HTTPServer.stop()` touches from another thread: its
/// socket and whether it is idle (waiting for the next request) or busy with one.
///
/// The connection thread marks itself closed under the lock *before* it closes the socket,
/// and `stop()` calls `shutdown` only under the same lock on a connection not yet marked
/// closed, so `stop()` can never shut down a descriptor number that was closed and reused.
final class ConnectionControl: Sendable {
    private struct State {
        var fd: Int32
        var idle = false
        var stopping = false
        var closed = false
    }

    private let state: Mutex<State>

    init(fd: Int32) { state = Mutex(State(fd: fd)) }

    /// The connection starts waiting for its next request. False if the server is stopping.
    func enterIdle() -> Bool {
        state.withLock { s in
            if s.stopping { return false }
            s.idle = true
            return true
        }
    }

    /// A request is arriving. False if the server is stopping (the request is not served).
    func enterBusy() -> Bool {
        state.withLock { s in
            s.idle = false
            return !s.stopping
        }
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Called by the connection thread just before it closes the socket.
    func markClosed() {
        state.withLock { $0.closed = true }
    }

    /// From `stop()`: an idle connection is shut down now (its thread wakes and exits);
    /// a busy one finishes its request, answers with `Connection: close`, and exits.
    func beginStop() {
        state.withLock { s in
            s.stopping = true
            if s.idle && !s.closed { shutdown(s.fd, Int32(SHUT_RDWR)) }
        }
    }

    /// From `stop()` once the grace period is over: cuts the connection whatever it is doing.
    func forceClose() {
        state.withLock { s in
            s.stopping = true
            if !s.closed { shutdown(s.fd, Int32(SHUT_RDWR)) }
        }
    }
}
