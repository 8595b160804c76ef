import Testing
@testable import SevaServer

@Suite struct SHA256Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    /// FIPS 180-4 / NIST CAVP examples.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func standardVectors(_ message: String, _ digest: String) {
        #expect(hex(SHA256.hash(message.utf8)) == digest)
    }

    @Test func aMillionAs() {
        #expect(hex(SHA256.hash(repeatElement(UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in [0, 1, 31, 32, message.count] {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == SHA256.hash(message))
        }
        #expect(hex(SHA256.hash(message)) == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }
}

@Suite struct AccessTokenTests {
    @Test func tokensAreLongRandomAndWellFormed() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let token = AccessToken.generate()
            #expect(AccessToken.isWellFormed(token), "\(token)")
            #expect(token.utf8.count == 36)
            seen.insert(token)
        }
        #expect(seen.count == 1_000)
        #expect(AccessToken.prefix("sv1_abcdefghXXXX") == "sv1_abcdefgh")
    }

    @Test func everyBitOfTheGeneratorIsUsed() {
        struct Constant: RandomNumberGenerator {
            let value: UInt64
            mutating func next() -> UInt64 { value }
        }
        var zeros = Constant(value: 0)
        var ones = Constant(value: .max)
        #expect(AccessToken.generate(using: &zeros) == "sv1_" + String(repeating: "A", count: 32))
        #expect(AccessToken.generate(using: &ones) == "sv1_" + String(repeating: "_", count: 32))
    }

    @Test func malformedTokensAreRecognised() {
        for text in ["", "sv1_", "sv2_" + String(repeating: "A", count: 32), "sv1_" + String(repeating: "A", count: 31),
                     "sv1_" + String(repeating: "=", count: 32)] {
            #expect(!AccessToken.isWellFormed(text), "\(text)")
        }
    }

    @Test func comparisonIsExactAndLengthChecked() {
        let digest = AccessToken.hash("sv1_" + String(repeating: "A", count: 32))
        var other = digest
        other[31] ^= 1
        #expect(AccessToken.constantTimeEquals(digest, digest))
        #expect(!AccessToken.constantTimeEquals(digest, other))
        #expect(!AccessToken.constantTimeEquals(digest, Array(digest.prefix(31))))
        #expect(digest.count == 32)
    }
}
