@testable import ArcaServer
import ArcaTasks
import Hummingbird
import Testing

@Suite struct ParsingTests {
    @Test func jsonDepthIgnoresBracketsInStrings() {
        #expect(JSONDepth.isWithin(2, Array(#"{"a":[1,2]}"#.utf8)))
        #expect(!JSONDepth.isWithin(2, Array(#"{"a":[[1]]}"#.utf8)))
        #expect(JSONDepth.isWithin(1, Array(#"{"a":"[[[[\"[[[["}"#.utf8)))
    }

    @Test func jsonBodyMustBeUTF8() throws {
        #expect(JSONBody.firstInvalidUTF8(Array("{\"a\": \"é北\"}".utf8)) == nil)
        #expect(JSONBody.firstInvalidUTF8([0x7B, 0x22, 0xC3, 0x28]) == 2)
        #expect(JSONBody.firstInvalidUTF8([0x61, 0xED, 0xA0, 0x80]) == 1)  // a UTF-16 surrogate
        let error = #expect(throws: ServerError.self) {
            _ = try JSONBody.decode([String].self, from: [0x5B, 0x22, 0xFF, 0x22, 0x5D], maxDepth: 4)
        }
        #expect(error?.status == .badRequest)
        #expect(error?.message.contains("not valid UTF-8 (bad sequence at byte 2)") == true)
    }

    @Test func lengthBucketsPadLessThanOneBatch() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let lengths = (0..<Int.random(in: 1...40, using: &rng)).map { _ in Int.random(in: 3...60, using: &rng) }
            let groups = LengthBuckets.groups(lengths: lengths, granule: 8)
            #expect(groups.flatMap { $0 }.sorted() == Array(lengths.indices))
            var padded = 0
            for g in groups {
                let ceilings = Set(g.map { (lengths[$0] + 7) / 8 })
                #expect(ceilings.count == 1)
                #expect(g == g.sorted())
                padded += g.count * (ceilings.first ?? 0) * 8
            }
            let oneBatch = lengths.count * ((lengths.max() ?? 0) + 7) / 8 * 8
            #expect(padded <= oneBatch)
            #expect(padded - lengths.reduce(0, +) < 8 * lengths.count)
        }
        #expect(LengthBuckets.groups(lengths: [9, 3, 16, 17], granule: 8) == [[1], [0, 2], [3]])
        #expect(LengthBuckets.groups(lengths: []).isEmpty)
    }

    @Test func multipartBoundaryAndFile() throws {
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=\"ab c\"") == "ab c")
        #expect(Multipart.boundary(contentType: "image/png") == nil)
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n\u{1}\u{2}\r\n--b--\r\n".utf8)
        #expect(try Multipart.file(in: body, boundary: "b") == [1, 2])
        #expect(throws: (any Error).self) { try Multipart.file(in: Array("--b\r\n\r\nabc".utf8), boundary: "b") }
        #expect(throws: (any Error).self) { try Multipart.file(in: Array("garbage".utf8), boundary: "b") }
        // A part without headers must not trip the header slicing.
        _ = try? Multipart.file(in: Array("--b\r\n\r\n".utf8), boundary: "b")
    }

    @Test func keywordCandidatesDropStopWordsBeforeBigrams() {
        let c = KeywordCandidates.candidates(in: "The cat and the hat, a Cat!", limit: 100)
        #expect(c == ["cat", "hat", "cat hat", "hat cat"])
    }

    @Test func mmrTradesRelevanceForDiversity() {
        let doc: [Float] = [1, 0.2, 0]
        let candidates: [[Float]] = [[1, 0.1, 0], [1, 0.11, 0], [0.5, 1, 0], [0, 0, 1]]
        #expect(MaximalMarginalRelevance.select(document: doc, candidates: candidates, k: 2, diversity: 0) == [1, 0])
        #expect(MaximalMarginalRelevance.select(document: doc, candidates: candidates, k: 2, diversity: 0.5) == [1, 2])
    }

    @Test func binaryCodecRoundTrips() throws {
        let cases: [TensorData] = [.fp32([1.5, -2, .infinity]), .int32([-1, 7]), .int64([Int64.min, 3]), .uint8([0, 255]), .bytes([[1, 2], []])]
        for data in cases {
            let bytes = TensorCodec.encodeBinary(data)
            #expect(try TensorCodec.decodeBinary(bytes[...], as: data.datatype, count: data.count, name: "t") == data)
        }
        #expect(throws: (any Error).self) { try TensorCodec.decodeBinary([1, 0, 0, 0][...], as: .bytes, count: 1, name: "t") }
        #expect(throws: (any Error).self) { try TensorCodec.elementCount([Int.max, 2], limit: Int.max) }
    }
}
