import Testing
@testable import SevaServer

@Suite struct RuntimePathsTests {
    @Test func byHandEverythingLivesUnderTheWorkingDirectory() {
        let paths = RuntimePaths(environment: [:], workingDirectory: "/home/ops/sevad")
        #expect(paths.state("sevad.db") == "/home/ops/sevad/var/sevad.db")
        #expect(paths.runtime("sevad.sock") == "/home/ops/sevad/var/sevad.sock")
        #expect(paths.configuration("sevad.toml") == "/home/ops/sevad/etc/sevad.toml")
    }

    @Test func systemdDirectoriesWinAndTheFirstOfAListIsUsed() {
        let paths = RuntimePaths(environment: [
            "STATE_DIRECTORY": "/var/lib/sevad:/var/lib/other",
            "RUNTIME_DIRECTORY": "/run/sevad/",
            "CONFIGURATION_DIRECTORY": "/etc/sevad",
        ], workingDirectory: "/")
        #expect(paths.state("sevad.db") == "/var/lib/sevad/sevad.db")
        #expect(paths.runtime("sevad.sock") == "/run/sevad/sevad.sock")
        #expect(paths.configuration("sevad.toml") == "/etc/sevad/sevad.toml")
    }

    @Test func absolutePathsAreKeptAndEmptyVariablesIgnored() {
        let paths = RuntimePaths(environment: ["STATE_DIRECTORY": ""], workingDirectory: "/srv")
        #expect(paths.stateDirectory == "/srv/var")
        #expect(paths.state("/data/sevad.db") == "/data/sevad.db")
    }
}
