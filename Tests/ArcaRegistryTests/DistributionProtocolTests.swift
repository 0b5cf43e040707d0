import Foundation
import Testing
@testable import ArcaRegistry

/// The distribution protocol paths against ``FakeRegistry``, and the parsers.
@Suite struct DistributionProtocolTests {
    static func remote() throws -> RemoteReference { try RemoteReference(parsing: "127.0.0.1:9/zoo/tiny:v1") }

    static func sampleStore() throws -> (ModelStore, Descriptor) {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        return (store, try DistributionTests.publishSynthetic(store))
    }

    @Test func wwwAuthenticateParsing() {
        let c = AuthChallenge.parse(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#)
        #expect(c == [AuthChallenge(scheme: "bearer", parameters: ["realm": "https://auth.example/token", "service": "registry.example",
                                                                   "scope": "repository:a/b:pull,push"])])
        let two = AuthChallenge.parse(#"Basic realm="x \"y\"", Bearer realm=https://t/,error=insufficient_scope"#)
        #expect(two.map(\.scheme) == ["basic", "bearer"])
        #expect(two.first?.parameters["realm"] == #"x "y""#)
        #expect(two.last?.parameters == ["realm": "https://t/", "error": "insufficient_scope"])
        #expect(AuthChallenge.parse("Basic").map(\.scheme) == ["basic"])
        #expect(AuthChallenge.parse("").isEmpty)
        #expect(AuthChallenge.parse(#"Bearer realm="unterminated"#).first?.parameters.isEmpty == true)
        #expect(AuthChallenge.parse(String(repeating: "Basic, ", count: 1000)).count == 16)
    }

    @Test func remoteReferences() throws {
        let r = try RemoteReference(parsing: "localhost:5000/zoo/face-detection:short-range")
        #expect(r.registry == "localhost:5000" && r.repository == "zoo/face-detection" && r.tag == "short-range")
        #expect(r.isLoopback && r.scheme(insecure: false) == "http" && r.lastComponent == "face-detection")
        let v6 = try RemoteReference(parsing: "[::1]:5000/a:b")
        #expect(v6.host == "::1" && v6.isLoopback)
        let remote = try RemoteReference(parsing: "registry.example.com/team/model")
        #expect(remote.tag == "latest" && !remote.isLoopback && remote.scheme(insecure: false) == "https" && remote.scheme(insecure: true) == "http")
        #expect(try !RemoteReference(parsing: "127.0.0.10:1/a:b").scheme(insecure: false).hasPrefix("https"))
        for bad in ["noslash", "host/UPPER:tag", "host/a//b:t", "host/a:-tag", "host:99999/a:b", "ho st/a:b", "host/a_:b", "[::1/a:b", "/a:b"] {
            #expect(throws: RegistryError.self, "\(bad)") { try RemoteReference(parsing: bad) }
        }
    }

    @Test func bearerTokenFlowForPushAndPull() async throws {
        let (store, published) = try Self.sampleStore()
        let fake = FakeRegistry()
        let user = RegistryCredentials(username: "robot", password: "pw")
        fake.bearerUser = user
        let client = DistributionClient(for: try Self.remote(), transport: fake, credentials: user, chunkSize: 4096)
        let report = try await client.push("tiny:v1", from: store, to: try Self.remote())
        #expect(report.uploaded.count == 3 && report.manifest == published.digest)
        #expect(fake.tokenQueries.contains { $0.contains("service=fake") && $0.contains("scope=repository%3Azoo%2Ftiny%3Apull%2Cpush") })
        let target = try ModelStore(root: TestSupport.temporaryDirectory())
        #expect(try await client.pull(try Self.remote(), into: target).manifest.digest == published.digest)
        #expect(try target.verify().isClean)

        let anonymous = DistributionClient(for: try Self.remote(), transport: fake)
        await #expect { try await anonymous.pull(try Self.remote(), into: target) } throws: { e in
            guard let e = e as? RegistryError, case .unauthorized = e else { return false }
            return true
        }
    }

    @Test func brokenChunkResumesFromTheRegistrysOffset() async throws {
        let (store, published) = try Self.sampleStore()
        let fake = FakeRegistry()
        fake.failPatches = [2, 5]
        let client = DistributionClient(for: try Self.remote(), transport: fake, chunkSize: 4096)
        let report = try await client.push("tiny:v1", from: store, to: try Self.remote())
        #expect(report.manifest == published.digest)
        let m = try store.manifest("tiny:v1")
        for d in [m.config] + m.layers { #expect(fake.blob(d.digest) == (try store.readBlob(d.digest, expectedSize: d.size))) }
        // Each broken PATCH is followed by a status query of its session.
        #expect(fake.log.filter { $0.hasPrefix("GET /v2/zoo/tiny/blobs/uploads/") }.count == 2)
    }

    @Test func lyingRegistryIsCaught() async throws {
        let (store, published) = try Self.sampleStore()
        let fake = FakeRegistry()
        let client = DistributionClient(for: try Self.remote(), transport: fake)
        _ = try await client.push("tiny:v1", from: store, to: try Self.remote())
        let target = try ModelStore(root: TestSupport.temporaryDirectory())

        let other = Digest(of: [1, 2, 3])
        fake.servedManifestDigest = other.description
        await #expect(throws: RegistryError.digestMismatch(expected: other, actual: published.digest)) { try await client.pull(try Self.remote(), into: target) }
        fake.servedManifestDigest = nil

        fake.servedManifest = [UInt8](repeating: 0x20, count: Int(DistributionClient.maxManifestSize) + 1)
        await #expect(throws: RegistryError.self) { try await client.pull(try Self.remote(), into: target) }

        var huge = try store.manifest("tiny:v1")
        huge.layers[1].size = ModelStore.maxBlobSize + 1
        fake.servedManifest = try BoundedJSON.encode(huge)
        await #expect { try await client.pull(try Self.remote(), into: target) } throws: { e in
            guard let e = e as? RegistryError, case .tooLarge = e else { return false }
            return true
        }

        var short = try store.manifest("tiny:v1")
        short.layers[0].size -= 1
        fake.servedManifest = try BoundedJSON.encode(short)
        await #expect(throws: RegistryError.sizeMismatch(digest: short.layers[0].digest, expected: short.layers[0].size, actual: short.layers[0].size + 1)) {
            try await client.pull(try Self.remote(), into: target)
        }

        fake.servedManifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(published.digest.hex)","size":1},"layers":[]}"#.utf8)
        await #expect { try await client.pull(try Self.remote(), into: target) } throws: { e in
            guard let e = e as? RegistryError, case .store(.invalidManifest) = e else { return false }
            return true
        }
        #expect(try target.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.blobDirectory).isEmpty)
    }
}
