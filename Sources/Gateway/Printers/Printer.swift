import Foundation
import IPP
import Store
import Synchronization

/// One IPP Printer object that ippgate serves at /ipp/print/NAME: its configuration,
/// its target, and its live state. Shared by connection threads and its worker thread;
/// mutable state sits behind a Mutex.
public final class Printer: Sendable {
    public let record: PrinterRecord
    public let target: any Target
    /// The configured attributes, built from the record and the target's capabilities;
    /// rebuilt when the target's capabilities change (a device's attributes are re-read).
    var description: PrinterDescription { descriptionLock.withLock { $0 } }
    private let descriptionLock: Mutex<PrinterDescription>

    struct LiveState {
        var state: PrinterState = .idle
        var reasons: [String] = ["none"]
        var message: String = "Idle."
        var isAcceptingJobs = true
        var paused = false
        var stateChangedAt: Int64
        var queuedJobCount = 0
        /// Reasons from the target (e.g. offline-report while it cannot be reached).
        var targetReasons: [String] = []
        var targetMessage: String? = nil
    }
    let live: Mutex<LiveState>

    init(record: PrinterRecord, target: any Target, clock: any Clock) {
        self.record = record
        self.target = target
        self.descriptionLock = Mutex(PrinterDescription(record: record, capabilities: target.capabilities))
        self.live = Mutex(LiveState(stateChangedAt: clock.now()))
    }

    public var name: String { record.name }

    /// Whether a document may be forwarded while it still arrives: the target can take it,
    /// and the printer was not added with `--store-then-forward` (for a device that would
    /// print a document cut short by a crash; see docs/ARCHITECTURE.md).
    var forwardsWhileArriving: Bool {
        target.deliversWhileArriving && record.settings[PrinterAdmin.forwardWhileArrivingSetting] != "no"
    }

    /// Re-reads the target's capabilities; rebuilds the attributes if they changed. A
    /// device that does not answer shows as offline-report (idle or not) until it does.
    /// - Returns: whether anything changed.
    @discardableResult
    func refreshFromTarget() -> Bool {
        do {
            try target.refresh()
        } catch {
            setTargetReasons(["offline-report"], message: "printer unreachable: \(error)")
            return false
        }
        if live.withLock({ !$0.targetReasons.isEmpty }) { setTargetReasons([], message: nil) }
        let rebuilt = PrinterDescription(record: record, capabilities: target.capabilities)
        return descriptionLock.withLock { current in
            let same = current.attributes.map(\.attribute.wire) == rebuilt.attributes.map(\.attribute.wire)
                && current.mediaColDatabase.wire == rebuilt.mediaColDatabase.wire
            if !same { current = rebuilt }
            return !same
        }
    }

    /// False while the target reports a condition (offline-report: it did not answer).
    var targetAnswers: Bool { live.withLock { $0.targetReasons.isEmpty } }

    /// The live state, with the target's reasons folded into printer-state-reasons.
    func snapshot() -> LiveState {
        var s = live.withLock { $0 }
        if !s.targetReasons.isEmpty {
            s.reasons = s.reasons.filter { $0 != "none" } + s.targetReasons
            if let m = s.targetMessage { s.message = m }
        }
        return s
    }

    /// The target's condition, e.g. ["offline-report"] while unreachable; [] when fine.
    func setTargetReasons(_ reasons: [String], message: String?) {
        live.withLock { s in
            s.targetReasons = reasons
            s.targetMessage = message
        }
    }

    /// Pauses (printer-state stopped, reason "paused") or resumes.
    func setPaused(_ paused: Bool, at now: Int64) {
        live.withLock { s in
            guard s.paused != paused else { return }
            s.paused = paused
            s.stateChangedAt = now
            if paused {
                s.state = .stopped
                s.reasons = ["paused"]
                s.message = "Paused."
            } else {
                s.state = s.queuedJobCount > 0 ? .processing : .idle
                s.reasons = ["none"]
                s.message = s.state == .idle ? "Idle." : "Printing."
            }
        }
    }

    /// Called by the job engine as it starts and finishes work.
    func setProcessing(_ processing: Bool, message: String? = nil, at now: Int64) {
        live.withLock { s in
            guard !s.paused else { return }
            let state: PrinterState = processing ? .processing : .idle
            if s.state != state { s.state = state; s.stateChangedAt = now }
            s.message = message ?? (processing ? "Printing." : "Idle.")
        }
    }

    func setQueuedJobCount(_ n: Int) { live.withLock { $0.queuedJobCount = n } }
    var isPaused: Bool { live.withLock { $0.paused } }
}

/// Wall-clock seconds, behind a protocol so tests can use a fake clock.
public protocol Clock: Sendable {
    func now() -> Int64
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
