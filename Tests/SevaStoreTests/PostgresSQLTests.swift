import Testing
@testable import SevaStore

/// The store's SQL, written once with SQLite's parameters, as PostgreSQL reads it.
@Suite struct PostgresSQLTests {
    @Test func parametersAreNumberedAsSQLiteNumbersThem() {
        #expect(PostgresStatement.numbered("SELECT a FROM t WHERE b = ? AND c = ?") == "SELECT a FROM t WHERE b = $1 AND c = $2")
        #expect(PostgresStatement.numbered("WHERE x > ? AND (?2 IS NULL OR y = ?2) LIMIT ?3") == "WHERE x > $1 AND ($2 IS NULL OR y = $2) LIMIT $3")
        #expect(PostgresStatement.numbered("VALUES (?4, ?)") == "VALUES ($4, $5)", "a bare ? is one more than the highest so far")
        #expect(PostgresStatement.numbered("WHERE s = 'what?' AND t = ?") == "WHERE s = 'what?' AND t = $1", "quoted text is left alone")
        #expect(PostgresStatement.numbered(#"SELECT "odd?name" FROM t WHERE a = ?"#) == #"SELECT "odd?name" FROM t WHERE a = $1"#)
    }

    @Test func sqlStatesMapToTheStoresFailureKinds() {
        let constraint = DatabaseError(extendedCode: PostgresConnection.nearestSQLiteCode("23505"), message: "", sqlState: "23505")
        #expect(!constraint.isStorageFailure, "a duplicate key fails its operation alone")
        for state in ["08006", "57P01", "53100", "25006", "58030", "XX001"] {
            let error = DatabaseError(extendedCode: PostgresConnection.nearestSQLiteCode(state), message: "", sqlState: state)
            #expect(error.isStorageFailure, "\(state) degrades the store")
        }
        for state in ["08006", "57P01", "25006"] {
            let error = DatabaseError(extendedCode: PostgresConnection.nearestSQLiteCode(state), message: "", sqlState: state)
            #expect(error.needsNewConnection, "\(state): a new session is needed")
        }
        #expect(DatabaseError(extendedCode: 14, message: "gone", sqlState: "08006").description.hasPrefix("PostgreSQL error 08006"))
    }

    @Test func aPasswordNeverReachesAMessage() {
        #expect(PostgresConnection.withoutPassword("postgresql://sevad:s3cret@db1,db2/sevad") == "postgresql://sevad:***@db1,db2/sevad")
        #expect(PostgresConnection.withoutPassword("host=db1 password=s3cret dbname=sevad") == "host=db1 password=*** dbname=sevad")
        #expect(PostgresConnection.withoutPassword("postgresql://sevad@db1/sevad?password=x&sslmode=require")
                == "postgresql://sevad@db1/sevad?password=***&sslmode=require")
    }
}
