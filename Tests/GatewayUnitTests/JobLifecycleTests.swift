import Gateway
import IPP
import Store
import Testing

/// The job state machine on its own: no threads, no store.
@Suite struct JobLifecycleTests {
    let job = JobRecord(id: 7, printer: "p", uuid: "urn:uuid:x", accepted: true, createdAt: 100)

    @Test func printableOnlyWhenPendingAcceptedAndComplete() {
        #expect(!JobLifecycle.isPrintable(job))                       // documents not complete
        let complete = JobLifecycle.documentsComplete(job)
        #expect(JobLifecycle.isPrintable(complete))
        var unaccepted = complete
        unaccepted.accepted = false
        #expect(!JobLifecycle.isPrintable(unaccepted))
    }

    @Test func holdAndRelease() throws {
        let held = try JobLifecycle.hold(JobLifecycle.documentsComplete(job))
        #expect(held.state == JobState.pendingHeld.rawValue)
        #expect(held.stateReasons == ["job-hold-until-specified"])
        #expect(!JobLifecycle.isPrintable(held))
        let released = try JobLifecycle.release(held)
        #expect(released.state == JobState.pending.rawValue && released.holdUntil == "no-hold")
        #expect(JobLifecycle.isPrintable(released))
        #expect(throws: IPPError.self) { try JobLifecycle.release(released) }
    }

    @Test func cancelIsFinalAndOnlyOnce() throws {
        let canceled = try JobLifecycle.cancel(job, at: 200, by: "ann")
        #expect(canceled.state == JobState.canceled.rawValue && canceled.completedAt == 200)
        #expect(canceled.stateReasons == ["job-canceled-by-user"])
        do {
            _ = try JobLifecycle.cancel(canceled, at: 201, by: "ann")
            Issue.record("a canceled job was canceled again")
        } catch {
            #expect(error.status == .clientErrorNotPossible)
        }
        #expect(throws: IPPError.self) { try JobLifecycle.hold(canceled) }
        // A delivery that ends after the cancel does not resurrect the job.
        #expect(JobLifecycle.finish(canceled, outcome: .completed, at: 300) == canceled)
    }

    @Test func deliveryOutcomes() {
        let processing = JobLifecycle.startProcessing(JobLifecycle.documentsComplete(job), at: 150)
        #expect(processing.state == JobState.processing.rawValue && processing.processingAt == 150)
        let done = JobLifecycle.finish(processing, outcome: .completed, at: 160)
        #expect(done.state == JobState.completed.rawValue && done.completedAt == 160)
        let aborted = JobLifecycle.finish(processing, outcome: .aborted("bad PDF"), at: 160)
        #expect(aborted.state == JobState.aborted.rawValue && aborted.stateMessage == "bad PDF")
        let retry = JobLifecycle.finish(processing, outcome: .retry("busy"), at: 160)
        #expect(retry.state == JobState.pending.rawValue && JobLifecycle.isPrintable(retry))
        // The device's job id is recorded when created there and dropped when lost there.
        let created = JobLifecycle.apply(.created(id: 12, uri: "ipp://printer/12"), to: processing)
        #expect(created.targetJobID == 12 && created.targetJobURI == "ipp://printer/12")
        let lost = JobLifecycle.apply(.lost, to: created)
        #expect(lost.targetJobID == 0 && lost.targetJobURI.isEmpty)
    }

    @Test func restartRequeuesProcessingJobsOnly() {
        let processing = JobLifecycle.startProcessing(JobLifecycle.documentsComplete(job), at: 150)
        #expect(JobLifecycle.requeueAfterRestart(processing).state == JobState.pending.rawValue)
        let done = JobLifecycle.finish(processing, outcome: .completed, at: 160)
        #expect(JobLifecycle.requeueAfterRestart(done) == done)
    }

    @Test func aJobWhoseDocumentArrivesMayStartAndGoesBackIfItBreaks() {
        // Print-Job while its document arrives: not accepted, documents incomplete.
        var arriving = job
        arriving.accepted = false
        #expect(JobLifecycle.isPrintableWhileArriving(arriving))
        #expect(!JobLifecycle.isPrintable(arriving))
        #expect(!JobLifecycle.isPrintableWhileArriving(JobLifecycle.documentsComplete(job)))
        #expect(!JobLifecycle.isPrintableWhileArriving(try! JobLifecycle.hold(arriving)))
        let started = JobLifecycle.apply(.created(id: 31, uri: "ipp://printer/jobs/31"), to: JobLifecycle.startProcessing(arriving, at: 120))
        let back = JobLifecycle.arrivalFailed(started)
        #expect(back.state == JobState.pending.rawValue)
        #expect(back.stateReasons == ["job-incoming"])
        #expect(back.targetJobID == 0, "the printer's job was canceled; the next delivery must not find it")
        // A job that ended meanwhile stays ended.
        let canceled = try! JobLifecycle.cancel(started, at: 130, by: "u")
        #expect(JobLifecycle.arrivalFailed(canceled) == canceled)
    }

    @Test func restartRequeuesAJobStillWaitingForItsDocumentAsIncoming() {
        let processing = JobLifecycle.startProcessing(job, at: 150)   // Create-Job, document arriving
        #expect(JobLifecycle.requeueAfterRestart(processing).stateReasons == ["job-incoming"])
        let complete = JobLifecycle.startProcessing(JobLifecycle.documentsComplete(job), at: 150)
        #expect(JobLifecycle.requeueAfterRestart(complete).stateReasons == ["none"])
    }
}
