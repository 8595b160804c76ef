import Testing
@testable import SevaStore

@Suite struct SQLiteLibraryTests {
    @Test func linkedLibraryCanServeTheStore() {
        #expect(SQLiteLibrary.unsuitability == nil)
        #expect(SQLiteLibrary.versionNumber >= SQLiteLibrary.minimumVersionNumber)
        #expect(SQLiteLibrary.isThreadSafe)
    }

    @Test func versionTextAndNumberAgree() {
        let parts = SQLiteLibrary.version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 3)
        #expect(parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2] == SQLiteLibrary.versionNumber)
    }
}
