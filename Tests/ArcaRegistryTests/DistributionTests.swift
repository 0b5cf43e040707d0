import ArcaKernels
import ArcaRegistryHTTP
import ArcaTasks
import ArcaZoo
import Foundation
import Testing
@testable import ArcaRegistry

/// Push and pull against a real `docker-registry` on 127.0.0.1.
@Suite(.serialized) struct DistributionTests {
    static func photo(_ name: String) throws -> RGBImage {
        try ImageDecoder.decode(Array(Data(contentsOf: TestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/images/\(name)"))))
    }

    /// A small synthetic model (not runnable): config, a graph blob and a weights blob.
    @discardableResult
    static func publishSynthetic(_ store: ModelStore, name: String = "tiny", tag: String = "v1", seed: UInt64 = 7) throws -> Descriptor {
        try store.publish(name: name, variant: tag, config: ModelConfigTests.sample(),
                          layers: [.graph(TestSupport.randomBytes(3000, seed: seed)), try .weights(TestSupport.weightLikeFloat32(20_000, seed: seed + 1), dtype: .float32, level: 3)])
    }

    static func client(_ server: RegistryServer, _ ref: RemoteReference, credentials: RegistryCredentials? = nil,
                       chunkSize: Int = 64 << 10) -> (DistributionClient, AsyncHTTPTransport) {
        let transport = AsyncHTTPTransport()
        return (DistributionClient(for: ref, transport: transport, credentials: credentials, chunkSize: chunkSize), transport)
    }

    /// Everything the store holds, by file name and content digest.
    static func snapshot(_ store: ModelStore) throws -> [String: Digest] {
        var out: [String: Digest] = [:]
        for dir in [store.root, store.blobDirectory] {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != "blobs" && name != ".lock" {
                out[dir + "/" + name] = Digest(of: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))))
            }
        }
        return out
    }

    @Test func pushedAndPulledFaceModelAnswersExactlyAsTheOriginal() async throws {
        let server = try await RegistryServer.start()
        defer { server.stop() }
        let source = try ModelStore(root: TestSupport.temporaryDirectory())
        let catalog = try ZooCatalog.bundled()
        let (m, v) = try catalog.resolve("face-detection:short-range")
        try ZooStore.publish(m, v, store: source)
        let remote = try RemoteReference(parsing: "\(server.address)/zoo/face-detection:short-range")
        let (client, transport) = Self.client(server, remote, chunkSize: 16 << 10)
        defer { Task { await transport.shutdown() } }

        var steps: [String] = []
        let pushed = try await client.push("face-detection:short-range", from: source, to: remote) { steps.append($0.step) }
        let original = try source.manifest("face-detection:short-range")
        #expect(pushed.manifest == (try source.resolve("face-detection:short-range")).digest)
        #expect(pushed.uploaded == [original.config.digest] + original.layers.map(\.digest) && pushed.skipped.isEmpty)
        #expect(steps.first == "blob 1/3" && steps.last == "done")
        // The weights layer is several 16 KiB chunks: the chunked PATCH path ran.
        #expect(original.layers.contains { $0.size > 3 * (16 << 10) })

        let again = try await client.push("face-detection:short-range", from: source, to: try RemoteReference(parsing: "\(server.address)/zoo/face-detection:copy"))
        #expect(again.uploaded.isEmpty && again.skipped.count == 3 && again.manifest == pushed.manifest)

        let target = try ModelStore(root: TestSupport.temporaryDirectory())
        let pulled = try await client.pull(remote, into: target)
        #expect(pulled.reference.description == "face-detection:short-range")
        #expect(pulled.downloaded.count == 3 && pulled.present.isEmpty)
        #expect(try target.resolve("face-detection:short-range").digest == pushed.manifest)
        let copy = try target.manifest("face-detection:short-range")
        #expect(copy.config.digest == original.config.digest && copy.layers.map(\.digest) == original.layers.map(\.digest))
        #expect(try target.verify().isClean)

        let renamed = try await client.pull(try RemoteReference(parsing: "\(server.address)/zoo/face-detection:copy"), into: target,
                                            as: try ModelReference(parsing: "faces:copy"))
        #expect(renamed.downloaded.isEmpty && renamed.present.count == 3 && renamed.manifest.digest == pushed.manifest)

        let image = try Self.photo("grace_hopper.jpg")
        let want = try ZooLoader.faceDetector("face-detection:short-range", catalog: catalog, store: source, pool: .serial).0.detect(image)
        let got = try ZooLoader.faceDetector("face-detection:short-range", catalog: catalog, store: target, pool: .serial).0.detect(image)
        let gotRenamed = try ZooLoader.faceDetector("faces:copy", catalog: catalog, store: target, pool: .serial).0.detect(image)
        #expect(!want.isEmpty)
        #expect(got == want && gotRenamed == want)
    }

    @Test func missingTagIsManifestUnknown() async throws {
        let server = try await RegistryServer.start()
        defer { server.stop() }
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        try Self.publishSynthetic(store)
        let remote = try RemoteReference(parsing: "\(server.address)/zoo/tiny:v1")
        let (client, transport) = Self.client(server, remote)
        defer { Task { await transport.shutdown() } }
        _ = try await client.push("tiny:v1", from: store, to: remote)
        let missing = try RemoteReference(parsing: "\(server.address)/zoo/tiny:nope")
        let fresh = try ModelStore(root: TestSupport.temporaryDirectory())
        await #expect(throws: RegistryError.manifestUnknown(missing.description)) { try await client.pull(missing, into: fresh) }
        #expect(try fresh.list().isEmpty)
        let otherRepo = try RemoteReference(parsing: "\(server.address)/elsewhere/tiny:v1")
        await #expect(throws: RegistryError.manifestUnknown(otherRepo.description)) { try await client.pull(otherRepo, into: fresh) }
    }

    @Test func tamperedBlobInTheRegistryIsRefusedByDigestAndTheStoreIsUnchanged() async throws {
        let server = try await RegistryServer.start()
        defer { server.stop() }
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        try Self.publishSynthetic(store)
        let remote = try RemoteReference(parsing: "\(server.address)/zoo/tiny:v1")
        let (client, transport) = Self.client(server, remote)
        defer { Task { await transport.shutdown() } }
        _ = try await client.push("tiny:v1", from: store, to: remote)

        let victim = try store.manifest("tiny:v1").layers[1]
        let path = server.blobDataPath(victim.digest)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Int64(bytes.count) == victim.size)
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let target = try ModelStore(root: TestSupport.temporaryDirectory())
        try Self.publishSynthetic(target, name: "kept", tag: "v0", seed: 100)
        let before = try Self.snapshot(target)
        do {
            _ = try await client.pull(remote, into: target)
            Issue.record("pull of a tampered blob succeeded")
        } catch {
            guard case .digestMismatch(let expected, let actual) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(expected == victim.digest && actual == Digest(of: bytes))
            #expect(error.description.contains(victim.digest.description))
        }
        #expect(try Self.snapshot(target) == before)
        #expect(try target.list().map(\.reference.description) == ["kept:v0"])
    }

    @Test func basicAuthWithHtpasswd() async throws {
        let user = RegistryCredentials(username: "arca", password: "s3cret-pw")
        let server = try await RegistryServer.start(user: user)
        defer { server.stop() }
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        let published = try Self.publishSynthetic(store)
        let remote = try RemoteReference(parsing: "\(server.address)/private/tiny:v1")

        let (anonymous, t1) = Self.client(server, remote)
        defer { Task { await t1.shutdown() } }
        await #expect { try await anonymous.push("tiny:v1", from: store, to: remote) } throws: { e in
            guard let e = e as? RegistryError, case .unauthorized = e else { return false }
            return true
        }
        let (wrong, t2) = Self.client(server, remote, credentials: RegistryCredentials(username: "arca", password: "wrong"))
        defer { Task { await t2.shutdown() } }
        await #expect { try await wrong.push("tiny:v1", from: store, to: remote) } throws: { e in
            guard let e = e as? RegistryError, case .unauthorized = e else { return false }
            return true
        }
        let (good, t3) = Self.client(server, remote, credentials: user)
        defer { Task { await t3.shutdown() } }
        #expect(try await good.push("tiny:v1", from: store, to: remote).manifest == published.digest)
        let target = try ModelStore(root: TestSupport.temporaryDirectory())
        #expect(try await good.pull(remote, into: target).manifest.digest == published.digest)
        #expect(try target.verify().isClean)
    }

    @Test func connectionRefusedIsUnreachable() async throws {
        let port = try RegistryServer.freePort()
        let remote = try RemoteReference(parsing: "127.0.0.1:\(port)/zoo/tiny:v1")
        let transport = AsyncHTTPTransport(connectTimeout: 2)
        defer { Task { await transport.shutdown() } }
        let client = DistributionClient(for: remote, transport: transport)
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        await #expect(throws: RegistryError.unreachable(host: "127.0.0.1:\(port)", reason: "connection refused")) {
            try await client.pull(remote, into: store)
        }
    }
}
