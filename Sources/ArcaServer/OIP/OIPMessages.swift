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
    /// `{"variants": {version: VariantFacts}}`, for the versions with facts (omitted when none).
    var parameters: [String: [String: VariantFacts]]?
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
        /// `data` decoded straight to `datatype`'s element type (flat or nested arrays);
        /// nil when absent or when the datatype is unsupported (refused later, by name).
        var data: TensorData?

        private enum CodingKeys: String, CodingKey { case name, shape, datatype, parameters, data }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            shape = try c.decode([Int].self, forKey: .shape)
            datatype = try c.decode(String.self, forKey: .datatype)
            parameters = try c.decodeIfPresent([String: JSONValue].self, forKey: .parameters)
            guard c.contains(.data), let type = TensorDatatype(rawValue: datatype) else {
                data = nil
                return
            }
            switch type {
            case .fp32: data = .fp32(try c.decode(FlatElements<Float>.self, forKey: .data).values)
            case .uint8: data = .uint8(try c.decode(FlatElements<UInt8>.self, forKey: .data).values)
            case .int32: data = .int32(try c.decode(FlatElements<Int32>.self, forKey: .data).values)
            case .int64: data = .int64(try c.decode(FlatElements<Int64>.self, forKey: .data).values)
            case .bytes: data = .bytes(try c.decode(FlatElements<String>.self, forKey: .data).values.map { Array($0.utf8) })
            }
        }
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

/// Row-major elements of a JSON tensor given flat (`[1, 2, 3, 4]`), nested (`[[1, 2], [3, 4]]`)
/// or as a lone scalar. Nesting depth is bounded by the body's JSON depth check.
struct FlatElements<T: Decodable>: Decodable {
    var values: [T] = []

    init(from decoder: any Decoder) throws {
        if var c = try? decoder.unkeyedContainer() {
            try Self.flatten(&c, into: &values)
        } else {
            values = [try decoder.singleValueContainer().decode(T.self)]
        }
    }

    private static func flatten(_ c: inout any UnkeyedDecodingContainer, into out: inout [T]) throws {
        while !c.isAtEnd {
            if let v = try? c.decode(T.self) {
                out.append(v)
            } else {
                var nested = try c.nestedUnkeyedContainer()
                try flatten(&nested, into: &out)
            }
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
