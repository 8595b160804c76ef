import Foundation
import Logging
import Testing
@testable import SevaSystemd

/// The journal handler's fields; the journal itself is checked under a real systemd.
@Suite struct JournalLogHandlerTests {
    @Test func metadataKeysBecomeJournalFieldNames() {
        #expect(JournalLogHandler.fieldName("job_id") == "JOB_ID")
        #expect(JournalLogHandler.fieldName("worker-id") == "WORKER_ID")
        #expect(JournalLogHandler.fieldName("_private") == "F_PRIVATE", "a leading _ is the journal's own")
        #expect(JournalLogHandler.fieldName("2fa") == "F2FA")
    }

    @Test func levelsMapToSyslogPriorities() {
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.warning) == 4)
        #expect(JournalLogHandler.priority(.critical) == 2)
        #expect(JournalLogHandler.priority(.debug) == 7)
    }

    @Test func stderrIsTheJournalOnlyWhenJournalStreamNamesIt() {
        unsetenv("JOURNAL_STREAM")
        #expect(!JournalLogHandler.stderrIsJournal)
        setenv("JOURNAL_STREAM", "1:2", 1)
        #expect(!JournalLogHandler.stderrIsJournal, "JOURNAL_STREAM names another stream")
        unsetenv("JOURNAL_STREAM")
    }
}
