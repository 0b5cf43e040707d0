import Foundation
import Hummingbird

extension Request {
    /// The whole body, refused with 413 past `limit` (checked on Content-Length first).
    func collectBody(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ServerError.tooLarge("request body of \(declared) bytes exceeds the limit of \(limit)")
        }
        do {
            return try await body.collect(upTo: limit)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw ServerError.tooLarge("request body exceeds the limit of \(limit) bytes")
        }
    }

    /// The body decoded as JSON `T`, after the size and nesting limits.
    func decodeJSON<T: Decodable>(_ type: T.Type, configuration: ServerConfiguration) async throws -> T {
        let buffer = try await collectBody(limit: configuration.maxBodyBytes)
        return try JSONBody.decode(type, from: buffer.readableBytesView, maxDepth: configuration.maxJSONDepth)
    }
}

enum JSONBody {
    /// Decodes `T` from JSON bytes, refusing nesting deeper than `maxDepth` and text that is
    /// not UTF-8 before parsing.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, maxDepth: Int) throws -> T {
        guard JSONDepth.isWithin(maxDepth, bytes) else {
            throw ServerError.badRequest("JSON nests deeper than \(maxDepth) levels")
        }
        if let offset = firstInvalidUTF8(bytes) {
            throw ServerError.badRequest("JSON body is not valid UTF-8 (bad sequence at byte \(offset))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ServerError.badRequest("invalid JSON body: \(describe(error))")
        }
    }

    /// Offset of the first byte that starts an invalid UTF-8 sequence, or nil if all are valid.
    static func firstInvalidUTF8(_ bytes: some Collection<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? c.debugDescription : "\(p): \(c.debugDescription)"
        }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return path(c)
        case .keyNotFound(let key, let c): return "missing field '\(key.stringValue)'" + (c.codingPath.isEmpty ? "" : " in \(path(c))")
        @unknown default: return "\(error)"
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }()
}

extension Response {
    /// A JSON response with `Arca-Variant` when a model served it.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, variant: String? = nil) throws -> Response {
        let data = try JSONBody.encoder.encode(value)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let variant { headers[.arcaVariant] = variant }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPFieldName {
    static let arcaVariant = HTTPFieldName("Arca-Variant")!
    static let inferenceHeaderContentLength = HTTPFieldName("Inference-Header-Content-Length")!
    static let requestID = HTTPFieldName("X-Request-Id")!
}

/// `HTTPField.Name`, reached through the `HTTPFields` type that Hummingbird re-exports.
typealias HTTPFieldName = HTTPFields.Element.Name
