/// JSON shapes of the Open Inference Protocol v2 REST API (KServe / Triton).

struct OIPServerMetadata: Encodable {
    var name: String
    var version: String
    var extensions: [String]
}

struct OIPModelMetadata: Encodable {
    var name: String
    var versions: [String]
    var platform: String
    var inputs: [TensorMetadata]
    var outputs: [TensorMetadata]
}

struct OIPInferRequest: Decodable {
    var id: String?
    var parameters: [String: JSONValue]?
    var inputs: [Input]
    var outputs: [RequestedOutput]?

    struct Input: Decodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var parameters: [String: JSONValue]?
        var data: JSONValue?
    }

    struct RequestedOutput: Decodable {
        var name: String
        var parameters: [String: JSONValue]?
    }
}

struct OIPInferResponse: Encodable {
    var model_name: String
    var model_version: String
    var id: String?
    var outputs: [Output]

    struct Output: Encodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var parameters: [String: JSONValue]?
        var data: OIPJSONData?
    }
}

/// Tensor elements as a flat JSON array; `BYTES` elements as (lossy UTF-8) strings.
struct OIPJSONData: Encodable {
    var tensor: TensorData

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch tensor {
        case .fp32(let v): try c.encode(v)
        case .uint8(let v): try c.encode(v)
        case .int32(let v): try c.encode(v)
        case .int64(let v): try c.encode(v)
        case .bytes(let v): try c.encode(v.map { String(decoding: $0, as: UTF8.self) })
        }
    }
}

/// An entry of `POST /v2/repository/index`.
struct OIPRepositoryEntry: Encodable {
    var name: String
    var version: String?
    var state: String
    var reason: String
}
