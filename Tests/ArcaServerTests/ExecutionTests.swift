import ArcaServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ExecutionTests {
    static let slowBody = #"{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}"#

    /// One worker, two queue slots, a 300 ms model and eight simultaneous requests: the overflow
    /// is refused at once with 429 and Retry-After, the admitted ones are served.
    @Test func fullQueueAnswers429WithRetryAfter() async throws {
        try await withServer(DemoProvider(slowDelay: 0.3), configure: { $0.threads = 1; $0.maxQueue = 2 }) { client, _ in
            let results = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, ContinuousClock.Duration).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let start = ContinuousClock.now
                        let r = try await client.post("/v2/models/slow/infer", json: Self.slowBody)
                        return (r.status, r.headers[.retryAfter], ContinuousClock.now - start)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let rejected = results.filter { $0.0 == .tooManyRequests }
            let served = results.filter { $0.0 == .ok }
            #expect(served.count >= 1)
            #expect(rejected.count >= 1)
            #expect(served.count + rejected.count == 8)
            #expect(served.count <= 3)
            #expect(rejected.allSatisfy { $0.1 == "1" })
            #expect(rejected.allSatisfy { $0.2 < .milliseconds(250) })
        }
    }

    @Test func slowModelPastTheTimeoutIs504() async throws {
        try await withServer(DemoProvider(slowDelay: 0.5), configure: { $0.requestTimeout = .milliseconds(100) }) { client, _ in
            let r = try await client.post("/v2/models/slow/infer", json: Self.slowBody)
            #expect(r.status == .gatewayTimeout)
            #expect(r.errorMessage != nil)
        }
    }

    /// Concurrent embedding requests share model calls; each still gets its own vectors.
    @Test func concurrentEmbeddingsAreBatched() async throws {
        let embedder = DemoEmbedder()
        let texts = (0..<8).map { "request number \($0) about topic \($0 % 3)" }
        try await withServer(DemoProvider(embedder: embedder), configure: { $0.maxBatch = 4; $0.batchDelay = .milliseconds(200) }) { client, _ in
            let vectors = try await withThrowingTaskGroup(of: (Int, [Float], String?).self) { group in
                for (i, t) in texts.enumerated() {
                    group.addTask {
                        let r = try await client.post("/v1/embeddings", json: #"{"input":"\#(t)","model":"minilm"}"#)
                        let data = r.json["data"] as? [[String: Any]]
                        return (i, floats(data?.first?["embedding"]), r.headers[.arcaVariantTest])
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = ($1.1, $1.2) }
            }
            for (i, t) in texts.enumerated() {
                #expect(vectors[i]?.0 == DemoEmbedder.vector(t))
                #expect(vectors[i]?.1 == "fp32")
            }
        }
        let sizes = embedder.batchSizes
        #expect(sizes.reduce(0, +) == 8)
        #expect(sizes.count < 8)
        #expect(sizes.max() ?? 0 > 1)
        #expect(sizes.allSatisfy { $0 <= 4 })
    }

    @Test func policyChoosesTheVariant() async throws {
        struct AlwaysInt8: VariantPolicy {
            func choose(model: any ServedModel, requested: String?, load: LoadSignals) -> String {
                model.variants.contains("int8") ? "int8" : requested ?? model.defaultVariant
            }
        }
        try await withServer(policy: AlwaysInt8()) { client, _ in
            let r = try await client.post("/v1/embeddings", json: #"{"input":"hello"}"#)
            #expect(r.headers[.arcaVariantTest] == "int8")
            #expect(r.json["model"] as? String == "minilm:int8")
        }
    }

    @Test func unknownVariantFromPolicyIs404() async throws {
        struct Bogus: VariantPolicy {
            func choose(model: any ServedModel, requested: String?, load: LoadSignals) -> String { "bogus" }
        }
        try await withServer(policy: Bogus()) { client, _ in
            let r1 = try await client.post("/v1/embeddings", json: #"{"input":"hello"}"#)
            #expect(r1.status == .notFound)
        }
    }
}
