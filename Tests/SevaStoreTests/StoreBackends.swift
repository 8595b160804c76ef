import Foundation
import PostgresTestSupport
import Testing
@testable import SevaStore

/// The two backends the store's tests run against.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }
}

/// A fresh, empty store database for one test — SQLite's file in a temporary directory, or a
/// database of its own on the test PostgreSQL server — removed when the value is dropped.
final class TestDatabase: @unchecked Sendable {
    let backend: StoreBackend
    let configuration: StoreConfiguration
    private let directory: TemporaryDirectory?
    private let database: String?

    init(_ backend: StoreBackend, _ name: String) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let directory = TemporaryDirectory(name)
            self.directory = directory
            database = nil
            configuration = StoreConfiguration(path: directory.file("sevad.db"))
        case .postgresql:
            let database = try PostgresTestServer.createDatabase(name)
            self.database = database
            directory = nil
            configuration = StoreConfiguration(postgresURL: try PostgresTestServer.url(database))
        }
    }

    /// A connection of the test's own, beside the store's, for surgery and independent checks
    /// (SQLite's file is created when missing).
    func surgeon() throws -> any DatabaseConnection {
        switch backend {
        case .sqlite: return try SQLiteConnection(path: configuration.path, mode: .readWriteCreate)
        case .postgresql: return try PostgresConnection(url: configuration.url, applicationName: "sevad-tests")
        }
    }

    deinit {
        if let database { PostgresTestServer.dropDatabase(database) }
    }
}

extension StoreBackend {
    /// Both backends — PostgreSQL's only left out where its server is not installed, said once
    /// on the standard error so that a skipped half is never silent.
    static let underTest: [StoreBackend] = {
        guard PostgresTestServer.binaries != nil else {
            FileHandle.standardError.write(Data(
                "SevaStoreTests: PostgreSQL is not installed; the store's tests run on SQLite only (apt-get install postgresql)\n".utf8))
            return [.sqlite]
        }
        return allCases
    }()
}
