import ArcaServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct InferTests {
    static let x: [Float] = [0.5, -1.25, 3, 4.75, 2, -0.5]

    @Test(arguments: ["[0.5,-1.25,3,4.75,2,-0.5]", "[[0.5,-1.25,3],[4.75,2,-0.5]]"])
    func jsonTensorsFlatOrNested(data: String) async throws {
        try await withServer { client, _ in
            let r = try await client.post("/v2/models/scale/infer", json: """
                {"id":"req-7","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":\(data)}]}
                """)
            #expect(r.status == .ok)
            #expect(r.headers[.arcaVariantTest] == "v1")
            #expect(r.json["model_name"] as? String == "scale")
            #expect(r.json["model_version"] as? String == "v1")
            #expect(r.json["id"] as? String == "req-7")
            let outputs = r.json["outputs"] as? [[String: Any]] ?? []
            let y = outputs.first { $0["name"] as? String == "y" }
            #expect(y?["shape"] as? [Int] == [2, 3])
            #expect(y?["datatype"] as? String == "FP32")
            #expect(floats(y?["data"]) == Self.x.map { $0 * 2 })
            let rowsum = outputs.first { $0["name"] as? String == "rowsum" }
            #expect(rowsum?["datatype"] as? String == "INT64")
            let expected = [Self.x[0..<3], Self.x[3..<6]].map { Int($0.map { $0.rounded() }.reduce(0, +)) }
            #expect(rowsum?["data"] as? [Int] == expected)
        }
    }

    @Test func versionRouteServesThatVariantAndOutputsAreFiltered() async throws {
        try await withServer { client, _ in
            let r = try await client.post("/v2/models/scale/versions/v2/infer", json: """
                {"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":[{"name":"y"}]}
                """)
            #expect(r.status == .ok)
            #expect(r.headers[.arcaVariantTest] == "v2")
            let outputs = r.json["outputs"] as? [[String: Any]] ?? []
            #expect(outputs.count == 1)
            #expect(floats(outputs.first?["data"]) == [3, 6, 9])
        }
    }

    /// Binary extension both ways: FP32 input as raw bytes, `y` back as binary, `rowsum` as JSON.
    @Test func binaryTensorRoundTrip() async throws {
        try await withServer { client, _ in
            let header = """
                {"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","parameters":{"binary_data_size":24}}],
                 "outputs":[{"name":"y","parameters":{"binary_data":true}},{"name":"rowsum","parameters":{"binary_data":false}}]}
                """
            var body = ByteBuffer(string: header)
            body.writeBytes(littleEndian(Self.x))
            let r = try await client.execute(uri: "/v2/models/scale/infer", method: .post,
                                             headers: [.inferenceHeaderLength: String(header.utf8.count), .contentType: "application/octet-stream"],
                                             body: body)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/octet-stream")
            let headerLength = try #require(r.headers[.inferenceHeaderLength].flatMap(Int.init))
            let bytes = r.bytes
            let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes[0..<headerLength])) as? [String: Any])
            let outputs = json["outputs"] as? [[String: Any]] ?? []
            #expect(outputs.map { $0["name"] as? String } == ["y", "rowsum"])
            let size = (outputs[0]["parameters"] as? [String: Any])?["binary_data_size"] as? Int
            #expect(size == 24)
            #expect(outputs[0]["data"] == nil)
            #expect(floatsFromLittleEndian(bytes[headerLength...]) == Self.x.map { $0 * 2 })
            #expect(bytes.count == headerLength + 24)
            #expect(outputs[1]["data"] as? [Int] != nil)
        }
    }

    /// BYTES elements are 4-byte little-endian length + bytes, in and out; `binary_data_output` makes every output binary.
    @Test func binaryBytesAndUInt8() async throws {
        try await withServer { client, _ in
            let strings: [[UInt8]] = [Array("héllo".utf8), [], Array("ab".utf8)]
            var sBytes: [UInt8] = []
            for s in strings { sBytes += (0..<4).map { UInt8(truncatingIfNeeded: s.count >> (8 * $0)) } + s }
            let u: [UInt8] = [200, 100, 7]
            let header = """
                {"parameters":{"binary_data_output":true},"inputs":[
                 {"name":"s","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":\(sBytes.count)}},
                 {"name":"u","shape":[3],"datatype":"UINT8","parameters":{"binary_data_size":3}}]}
                """
            var body = ByteBuffer(string: header)
            body.writeBytes(sBytes + u)
            let r = try await client.execute(uri: "/v2/models/bytes/infer", method: .post,
                                             headers: [.inferenceHeaderLength: String(header.utf8.count)], body: body)
            #expect(r.status == .ok)
            let headerLength = try #require(r.headers[.inferenceHeaderLength].flatMap(Int.init))
            let bytes = r.bytes
            let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes[0..<headerLength])) as? [String: Any])
            let outputs = json["outputs"] as? [[String: Any]] ?? []
            let sizes = outputs.map { ($0["parameters"] as? [String: Any])?["binary_data_size"] as? Int ?? -1 }
            #expect(outputs.map { $0["name"] as? String } == ["lengths", "reversed", "total"])
            var offset = headerLength
            let lengths = bytes[offset..<(offset + sizes[0])]
            #expect(stride(from: lengths.startIndex, to: lengths.endIndex, by: 4).map { Int(lengths[$0]) } == strings.map(\.count))
            offset += sizes[0]
            var expectedReversed: [UInt8] = []
            for s in strings { expectedReversed += (0..<4).map { UInt8(truncatingIfNeeded: s.count >> (8 * $0)) } + s.reversed() }
            #expect(Array(bytes[offset..<(offset + sizes[1])]) == expectedReversed)
            offset += sizes[1]
            #expect(Array(bytes[offset..<(offset + sizes[2])]) == [51, 1, 0, 0, 0, 0, 0, 0])  // 307 little-endian
            #expect(offset + sizes[2] == bytes.count)
        }
    }

    @Test func badRequestsAre400WithErrorBody() async throws {
        let cases: [(String, String)] = [
            ("not json", "{"),
            ("wrong datatype", #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1,2,3]}]}"#),
            ("unsupported datatype", #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP16","data":[1,2,3]}]}"#),
            ("wrong shape", #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}"#),
            ("data count", #"{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3]}]}"#),
            ("data type", #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,"a",3]}]}"#),
            ("unknown input", #"{"inputs":[{"name":"z","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#),
            ("missing input", #"{"inputs":[]}"#),
            ("unknown output", #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":[{"name":"q"}]}"#),
            ("negative dim", #"{"inputs":[{"name":"x","shape":[-1,3],"datatype":"FP32","data":[]}]}"#),
            ("deep json", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)),
        ]
        try await withServer { client, _ in
            for (what, body) in cases {
                let r = try await client.post("/v2/models/scale/infer", json: body)
                #expect(r.status == .badRequest, "\(what)")
                #expect(r.errorMessage?.isEmpty == false, "\(what)")
            }
        }
    }

    @Test func binaryDataOverrunIs400() async throws {
        try await withServer { client, _ in
            let header = #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}]}"#
            var body = ByteBuffer(string: header)
            body.writeBytes([1, 2, 3])
            let r = try await client.execute(uri: "/v2/models/scale/infer", method: .post,
                                             headers: [.inferenceHeaderLength: String(header.utf8.count)], body: body)
            #expect(r.status == .badRequest)
            let tooLong = try await client.execute(uri: "/v2/models/scale/infer", method: .post,
                                                   headers: [.inferenceHeaderLength: "100000"], body: ByteBuffer(string: header))
            #expect(tooLong.status == .badRequest)
        }
    }

    @Test func unknownModelOrVersionIs404() async throws {
        try await withServer { client, _ in
            let body = #"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#
            let r1 = try await client.post("/v2/models/nope/infer", json: body)
            #expect(r1.status == .notFound)
            let v = try await client.post("/v2/models/scale/versions/v7/infer", json: body)
            #expect(v.status == .notFound)
            #expect(v.errorMessage?.contains("v7") == true)
        }
    }

    @Test func limitsAre413() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1024; $0.maxTensorElements = 100 }) { client, _ in
            let huge = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}],\"pad\":\"" + String(repeating: "x", count: 4000) + "\"}"
            let r = try await client.post("/v2/models/scale/infer", json: huge)
            #expect(r.status == .contentTooLarge)
            #expect(r.errorMessage != nil)
            let many = try await client.post("/v2/models/scale/infer", json: #"{"inputs":[{"name":"x","shape":[1000000000,3],"datatype":"FP32","data":[]}]}"#)
            #expect(many.status == .contentTooLarge)
        }
    }
}
