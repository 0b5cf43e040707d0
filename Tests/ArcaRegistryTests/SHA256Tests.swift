import Testing
@testable import ArcaRegistry

@Suite struct SHA256Tests {
    func hex(_ bytes: [UInt8]) -> String { Digest(sha256: bytes).hex }

    @Test func knownVectors() {
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingMatchesOneShotAtEverySplit() {
        let data = TestSupport.randomBytes(300, seed: 7)
        let whole = SHA256.hash(data)
        for split in [0, 1, 55, 56, 63, 64, 65, 128, 200, 299, 300] {
            var h = SHA256()
            h.update(Array(data[..<split]))
            h.update(Array(data[split...]))
            #expect(h.finalize() == whole, "split at \(split)")
        }
        var bytewise = SHA256()
        for b in data { bytewise.update([b]) }
        #expect(bytewise.finalize() == whole)
    }

    /// SHA-NI (where the CPU has it) and the Swift rounds agree on every length and content;
    /// the known vectors above run through whichever path this CPU takes.
    @Test func hardwareAndSoftwareAgree() {
        let data = TestSupport.randomBytes(70_000, seed: 11)
        for n in [0, 1, 63, 64, 65, 127, 128, 129, 1000, 4096, 70_000] {
            let slice = Array(data[..<n])
            var software = SHA256(hardware: false)
            software.update(slice)
            #expect(SHA256.hash(slice) == software.finalize(), "length \(n)")
        }
        print("SHA-256 hardware path: \(SHA256.hardwareAvailable)")
    }

    @Test func digestParsingIsStrict() {
        let good = "sha256:" + String(repeating: "ab", count: 32)
        #expect(Digest(good)?.description == good)
        #expect(Digest("sha256:" + String(repeating: "AB", count: 32)) == nil)
        #expect(Digest("sha512:" + String(repeating: "ab", count: 32)) == nil)
        #expect(Digest("sha256:../../../../etc/passwd") == nil)
        #expect(Digest(good + "0") == nil)
        #expect(Digest(hex: String(repeating: "g", count: 64)) == nil)
    }
}
