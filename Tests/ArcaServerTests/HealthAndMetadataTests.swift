import ArcaServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct HealthAndMetadataTests {
    @Test func serverMetadataNamesExtensions() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/v2")
            #expect(r.status == .ok)
            #expect(r.json["name"] as? String == "arca")
            #expect(r.json["version"] as? String == ArcaServer.version)
            #expect(Set(r.json["extensions"] as? [String] ?? []) == ["binary_tensor_data", "model_repository"])
            let r1 = try await client.get("/v2/health/live")
            #expect(r1.status == .ok)
        }
    }

    @Test func unknownRouteIsAJSON404NamingIt() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/v3/nothing?x=1")
            #expect(r.status == .notFound)
            #expect(r.errorMessage == "no route for GET /v3/nothing")
            let known = try await client.get("/v2/models/nope")
            #expect(known.errorMessage == "unknown model 'nope'")
        }
    }

    @Test func readinessFollowsTheProvider() async throws {
        let provider = DemoProvider(ready: false)
        try await withServer(provider) { client, _ in
            let before = try await client.get("/v2/health/ready")
            #expect(before.status == .serviceUnavailable)
            #expect(before.headers[.retryAfter] == "1")
            #expect(before.errorMessage != nil)
            let r2 = try await client.get("/v2/models/scale/ready")
            #expect(r2.status == .serviceUnavailable)
            let infer = try await client.post("/v2/models/scale/infer", json: #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#)
            #expect(infer.status == .serviceUnavailable)
            provider.setReady(true)
            let r3 = try await client.get("/v2/health/ready")
            #expect(r3.status == .ok)
            let ready = try await client.get("/v2/models/scale/ready")
            #expect(ready.status == .ok)
            #expect(ready.json["ready"] as? Bool == true)
            let r4 = try await client.get("/v2/models/scale/versions/v2/ready")
            #expect(r4.status == .ok)
        }
    }

    @Test func modelMetadataListsVersionsAndTensors() async throws {
        try await withServer { client, _ in
            let r = try await client.get("/v2/models/scale")
            #expect(r.status == .ok)
            #expect(r.json["name"] as? String == "scale")
            #expect(r.json["platform"] as? String == "arca")
            #expect(r.json["versions"] as? [String] == ["v1", "v2"])
            let inputs = r.json["inputs"] as? [[String: Any]] ?? []
            #expect(inputs.count == 1)
            #expect(inputs.first?["name"] as? String == "x")
            #expect(inputs.first?["datatype"] as? String == "FP32")
            #expect(inputs.first?["shape"] as? [Int] == [-1, 3])
            #expect((r.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["y", "rowsum"])

            let facts = (r.json["parameters"] as? [String: Any])?["variants"] as? [String: Any]
            #expect(facts?.keys.sorted() == ["v2"], "only v2 has facts")
            let v2 = facts?["v2"] as? [String: Any]
            #expect(v2?["dtype"] as? String == "int8")
            #expect(v2?["expected_accuracy"] as? Double == 0.99)
            #expect(v2?["measured_latency_ms"] as? Double == 2.25)
            #expect((v2?["config_latency"] as? [[String: Any]])?.first?["median_ms"] as? Double == 1.5)

            let v = try await client.get("/v2/models/scale/versions/v2")
            #expect(v.status == .ok)
            #expect(v.headers[.arcaVariantTest] == "v2")
            #expect(((v.json["parameters"] as? [String: Any])?["variants"] as? [String: Any])?.keys.sorted() == ["v2"])
            let v1 = try await client.get("/v2/models/scale/versions/v1")
            #expect(v1.json["parameters"] == nil, "a version without facts has no parameters")
            let task = try await client.get("/v2/models/blazeface")
            #expect(task.json["versions"] as? [String] == ["short_range", "full_range"])
        }
    }

    @Test func unknownModelsAndVersionsAre404() async throws {
        try await withServer { client, _ in
            for uri in ["/v2/models/nope", "/v2/models/scale/versions/v9", "/v2/models/nope/ready", "/v2/models/scale/versions/v9/ready"] {
                let r = try await client.get(uri)
                #expect(r.status == .notFound, "\(uri)")
                #expect(r.errorMessage != nil, "\(uri)")
            }
            let unmatched = try await client.get("/no/such/route")
            #expect(unmatched.status == .notFound)
            #expect(unmatched.errorMessage != nil)
        }
    }

    @Test func repositoryIndexLoadAndUnload() async throws {
        try await withServer { client, _ in
            let index = try await client.post("/v2/repository/index", json: "{}")
            #expect(index.status == .ok)
            let entries = index.jsonArray.compactMap { $0 as? [String: Any] }
            let names = entries.compactMap { $0["name"] as? String }
            #expect(names.contains("scale"))
            #expect(entries.allSatisfy { $0["state"] as? String == "READY" })

            let r5 = try await client.post("/v2/repository/models/scale/unload", json: "")

            #expect(r5.status == .ok)
            let r6 = try await client.get("/v2/models/scale/ready")
            #expect(r6.status == .serviceUnavailable)
            let readyOnly = try await client.post("/v2/repository/index", json: #"{"ready":true}"#)
            let readyNames = readyOnly.jsonArray.compactMap { ($0 as? [String: Any])?["name"] as? String }
            #expect(!readyNames.contains("scale"))
            #expect(readyNames.contains("bytes"))
            let r7 = try await client.post("/v2/repository/models/scale/load", json: "")
            #expect(r7.status == .ok)
            let r8 = try await client.get("/v2/models/scale/ready")
            #expect(r8.status == .ok)
            let r9 = try await client.post("/v2/repository/models/nope/load", json: "")
            #expect(r9.status == .notFound)
        }
    }

    @Test func metricsExposeRequestsAndProcessGauges() async throws {
        try await withServer { client, _ in
            _ = try await client.post("/v2/models/scale/infer", json: #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#)
            _ = try await client.get("/v2/models/nope")
            let r = try await client.get("/metrics")
            #expect(r.status == .ok)
            let text = String(decoding: r.bytes, as: UTF8.self)
            #expect(text.contains(#"arca_requests_total{model="scale",variant="v1",route="/v2/models/{model}/infer"} 1"#))
            #expect(text.contains(#"arca_failures_total{model="unknown""#))
            #expect(!text.contains("nope"))
            #expect(text.contains("arca_compute_time_seconds_bucket"))
            #expect(text.contains("arca_queue_time_seconds_count"))
            #expect(text.contains("arca_queue_depth 0"))
            #expect(text.contains("arca_process_cpu_seconds"))
            #expect(text.contains("arca_process_resident_memory_bytes"))
        }
    }

    @Test func liveServerAnswersOverTCP() async throws {
        try await withServer(mode: .live) { client, _ in
            let r = try await client.get("/v2/health/live")
            #expect(r.status == .ok)
            #expect(r.headers[.requestIDTest] != nil)
        }
    }
}

/// `arca serve` listens before its models are installed and loaded: live, not ready, and
/// every model route a 503 with `Retry-After` until the loaded provider is handed over.
@Suite struct StartingProviderTests {
    @Test func liveBeforeTheModelsThenServesThem() async throws {
        let starting = StartingProvider()
        try await withServer(starting) { client, _ in
            #expect(try await client.get("/v2/health/live").status == .ok)
            #expect(try await client.get("/v2").status == .ok)
            let ready = try await client.get("/v2/health/ready")
            #expect(ready.status == .serviceUnavailable)
            for r in [try await client.get("/v2/models/scale"), try await client.get("/v2/repository/index"),
                      try await client.post("/v1/embeddings", json: #"{"input":"a dog"}"#),
                      try await client.post("/v2/models/scale/infer", json: #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#)] {
                #expect(r.status == .serviceUnavailable)
                #expect(r.headers[.retryAfter] == "5")
                #expect(r.errorMessage?.contains("starting") == true)
            }
            #expect(try await client.get("/metrics").status == .ok)

            starting.finish(DemoProvider())
            #expect(try await client.get("/v2/health/ready").status == .ok)
            let e = try await client.post("/v1/embeddings", json: #"{"input":"a dog"}"#)
            #expect(e.status == .ok)
            #expect((e.json["data"] as? [[String: Any]])?.count == 1)
            let infer = try await client.post("/v2/models/scale/infer", json: #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#)
            #expect(infer.status == .ok)
        }
    }
}
