import Glibc
import Synchronization

/// The part of a connection that other threads touch: `HTTPServer.stop()` (its socket and
/// whether it is idle, waiting for the next request, or busy with one) and the watchdog
/// (the deadline its current request head must meet).
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
        /// Monotonic ns by which the request line, or the head, must be in; 0: none.
        var deadline: UInt64 = 0
        var deadlineReason = ""
        /// Set when the watchdog cut the connection: why.
        var cutReason: String? = nil
    }

    private let state: Mutex<State>

    init(fd: Int32) { state = Mutex(State(fd: fd)) }

    /// The connection starts waiting for its next request, whose request line must be in
    /// by `deadline`. False if the server is stopping.
    func enterIdle(deadline: UInt64, _ reason: String) -> Bool {
        state.withLock { s in
            if s.stopping { return false }
            s.idle = true
            s.deadline = deadline
            s.deadlineReason = reason
            return true
        }
    }

    /// A request is arriving; its head must be in by `deadline`. False if the server is
    /// stopping (the request is not served).
    func enterBusy(deadline: UInt64, _ reason: String) -> Bool {
        state.withLock { s in
            s.idle = false
            s.deadline = deadline
            s.deadlineReason = reason
            return !s.stopping
        }
    }

    /// A deadline for what the connection does next (writing a response).
    func setDeadline(_ deadline: UInt64, _ reason: String) {
        state.withLock { s in
            s.deadline = deadline
            s.deadlineReason = reason
        }
    }

    /// The request's head is in, or the response is out: no deadline for now.
    func clearDeadline() {
        state.withLock { $0.deadline = 0 }
    }

    /// From the watchdog: cuts the connection if its deadline has passed.
    func cutIfOverdue(now: UInt64) {
        state.withLock { s in
            guard s.deadline != 0, now > s.deadline, !s.closed, s.cutReason == nil else { return }
            s.cutReason = s.deadlineReason
            shutdown(s.fd, Int32(SHUT_RDWR))
        }
    }

    /// Why the watchdog cut the connection, if it did.
    var cutReason: String? { state.withLock { $0.cutReason } }

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
