import ArcaServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct TaskRouteTests {
    @Test func embeddingsFloatAndBase64Agree() async throws {
        try await withServer { client, _ in
            let input = #"["the quick brown fox","a lazy dog"]"#
            let f = try await client.post("/v1/embeddings", json: #"{"input":\#(input),"model":"minilm:int8"}"#)
            #expect(f.status == .ok)
            #expect(f.headers[.arcaVariantTest] == "int8")
            #expect(f.json["object"] as? String == "list")
            #expect(f.json["model"] as? String == "minilm:int8")
            let usage = f.json["usage"] as? [String: Any]
            #expect(usage?["prompt_tokens"] as? Int == (4 + 2) + (3 + 2))
            #expect(usage?["total_tokens"] as? Int == usage?["prompt_tokens"] as? Int)
            let data = f.json["data"] as? [[String: Any]] ?? []
            #expect(data.map { $0["index"] as? Int } == [0, 1])
            #expect(data.allSatisfy { $0["object"] as? String == "embedding" })
            #expect(floats(data[1]["embedding"]) == DemoEmbedder.vector("a lazy dog"))

            let b = try await client.post("/v1/embeddings", json: #"{"input":\#(input),"encoding_format":"base64"}"#)
            let encoded = (b.json["data"] as? [[String: Any]])?.first?["embedding"] as? String
            let decoded = try #require(encoded.flatMap { Data(base64Encoded: $0) })
            #expect(floatsFromLittleEndian(Array(decoded)[...]) == DemoEmbedder.vector("the quick brown fox"))
        }
    }

    @Test func embeddingsErrors() async throws {
        try await withServer { client, _ in
            let r1 = try await client.post("/v1/embeddings", json: #"{"input":[[1,2,3]]}"#)
            #expect(r1.status == .badRequest)
            let r2 = try await client.post("/v1/embeddings", json: #"{"input":[]}"#)
            #expect(r2.status == .badRequest)
            let r3 = try await client.post("/v1/embeddings", json: #"{"input":"x","model":"gpt"}"#)
            #expect(r3.status == .notFound)
            let r4 = try await client.post("/v1/embeddings", json: #"{"input":"x","model":"minilm:q2"}"#)
            #expect(r4.status == .notFound)
            let r5 = try await client.post("/v1/embeddings", json: #"{"input":"x","encoding_format":"hex"}"#)
            #expect(r5.status == .badRequest)
            let r6 = try await client.post("/v1/embeddings", json: #"{"nope":1}"#)
            #expect(r6.status == .badRequest)
        }
    }

    @Test func similarityPairAndMatrix() async throws {
        try await withServer { client, _ in
            let same = try await client.post("/v1/similarity", json: #"{"a":"red apple pie","b":"red apple pie"}"#)
            #expect(same.headers[.arcaVariantTest] == "fp32")
            #expect(abs(((same.json["similarity"] as? NSNumber)?.floatValue ?? 0) - 1) < 1e-5)
            let m = try await client.post("/v1/similarity?variant=int8", json: #"{"texts":["red apple","red apple","green"]}"#)
            #expect(m.headers[.arcaVariantTest] == "int8")
            let matrix = (m.json["matrix"] as? [[NSNumber]])?.map { $0.map(\.floatValue) } ?? []
            #expect(matrix.count == 3)
            #expect(abs(matrix[0][1] - 1) < 1e-5)
            #expect(matrix[0][2] < 0.9)
            let r7 = try await client.post("/v1/similarity", json: #"{"a":"x"}"#)
            #expect(r7.status == .badRequest)
        }
    }

    @Test func searchRanksTheMatchingDocumentFirst() async throws {
        try await withServer { client, _ in
            let r = try await client.post("/v1/search", json: """
                {"query":"cats purr softly","corpus":["dogs bark loudly","cats purr softly","fish swim"],"top_k":2}
                """)
            let results = r.json["results"] as? [[String: Any]] ?? []
            #expect(results.count == 2)
            #expect(results.first?["index"] as? Int == 1)
            #expect(results.first?["text"] as? String == "cats purr softly")
            let scores = results.compactMap { ($0["score"] as? NSNumber)?.floatValue }
            #expect(scores == scores.sorted(by: >))
        }
    }

    @Test func classifyPicksTheClosestLabel() async throws {
        try await withServer { client, _ in
            let r = try await client.post("/v1/classify", json: #"{"text":"the football match ended","labels":["cooking","football match","weather"]}"#)
            #expect(r.json["label"] as? String == "football match")
            #expect((r.json["scores"] as? [[String: Any]])?.count == 3)
            let r8 = try await client.post("/v1/classify", json: #"{"text":"x","labels":[]}"#)
            #expect(r8.status == .badRequest)
        }
    }

    @Test func keywordsComeFromTheTextWithoutStopWords() async throws {
        try await withServer { client, _ in
            let text = "Swift servers answer inference requests; the server batches embedding requests and exports metrics."
            let r = try await client.post("/v1/keywords", json: #"{"text":"\#(text)","top_k":4}"#)
            #expect(r.status == .ok)
            let keywords = (r.json["keywords"] as? [[String: Any]] ?? []).compactMap { $0["keyword"] as? String }
            #expect(keywords.count == 4)
            #expect(Set(keywords).count == 4)
            let words = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
            for k in keywords {
                #expect(k.split(separator: " ").count <= 2)
                #expect(k.split(separator: " ").allSatisfy { words.contains(String($0)) && !["the", "and"].contains(String($0)) })
            }
        }
    }

    @Test func facesFromRawBodyAndMultipart() async throws {
        try await withServer { client, _ in
            let raw = try await client.execute(uri: "/v1/faces?variant=full_range", method: .post,
                                               headers: [.contentType: "image/png"], body: ByteBuffer(bytes: DemoImage.png))
            #expect(raw.status == .ok)
            #expect(raw.headers[.arcaVariantTest] == "full_range")
            #expect(raw.json["width"] as? Int == DemoImage.png.count)
            #expect(raw.json["height"] as? Int == 2)
            let face = (raw.json["faces"] as? [[String: Any]])?.first
            #expect(abs(((face?["score"] as? NSNumber)?.floatValue ?? 0) - Float(0x89) / 255) < 1e-6)

            let boundary = "XyZ123"
            var form = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
            form += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            form += DemoImage.png + Array("\r\n--\(boundary)--\r\n".utf8)
            let multi = try await client.execute(uri: "/v1/faces", method: .post,
                                                 headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(bytes: form))
            #expect(multi.status == .ok)
            #expect(multi.headers[.arcaVariantTest] == "short_range")
            #expect(multi.json["width"] as? Int == DemoImage.png.count)

            let junk = try await client.execute(uri: "/v1/faces", method: .post, body: ByteBuffer(string: "not an image"))
            #expect(junk.status == .badRequest)
            let r9 = try await client.execute(uri: "/v1/faces", method: .post)
            #expect(r9.status == .badRequest)
            let r10 = try await client.execute(uri: "/v1/faces?variant=huge", method: .post, body: ByteBuffer(bytes: DemoImage.png))
            #expect(r10.status == .notFound)
        }
    }

    @Test func segmentJSONAndPNG() async throws {
        try await withServer(configure: { $0.maxImageBytes = 64 }) { client, _ in
            let json = try await client.execute(uri: "/v1/segment", method: .post, body: ByteBuffer(bytes: DemoImage.png))
            #expect(json.status == .ok)
            #expect(json.headers[.arcaVariantTest] == "general")
            let mask = (json.json["mask_png"] as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init)
            #expect(mask == DemoImage.pngSignature + [UInt8(DemoImage.png.count)])
            #expect((json.json["foreground_fraction"] as? NSNumber)?.floatValue == 0.25)

            let png = try await client.execute(uri: "/v1/segment?format=png&variant=landscape", method: .post, body: ByteBuffer(bytes: DemoImage.png))
            #expect(png.headers[.contentType] == "image/png")
            #expect(png.headers[.arcaVariantTest] == "landscape")
            #expect(png.bytes == DemoImage.pngSignature + [UInt8(DemoImage.png.count)])

            let big = try await client.execute(uri: "/v1/segment", method: .post, body: ByteBuffer(bytes: DemoImage.png + [UInt8](repeating: 0, count: 100)))
            #expect(big.status == .contentTooLarge)
            let r11 = try await client.execute(uri: "/v1/segment?format=gif", method: .post, body: ByteBuffer(bytes: DemoImage.png))
            #expect(r11.status == .badRequest)
        }
    }
}
