import Foundation
import Hummingbird

/// `POST /v1/embeddings` — OpenAI-style embeddings.
///
/// Body: `{"input": "text" | ["text", …], "model"?: "name" | "name:variant", "encoding_format"?: "float" | "base64"}`.
/// Token arrays as `input` are answered 400 (unsupported).
/// Response: `{"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage": {"prompt_tokens", "total_tokens"}}`;
/// with `base64`, each `embedding` is the base64 of its little-endian float32 bytes.
/// Concurrent requests are batched into one model call.
struct EmbeddingsRoute {
    let state: ServerState

    private struct Body: Decodable {
        var input: JSONValue
        var model: String?
        var encoding_format: String?
    }

    private struct Reply: Encodable {
        var object = "list"
        var data: [Item]
        var model: String
        var usage: Usage

        struct Item: Encodable {
            var object = "embedding"
            var index: Int
            var embedding: Embedding
        }

        struct Usage: Encodable {
            var prompt_tokens: Int
            var total_tokens: Int
        }
    }

    private enum Embedding: Encodable {
        case floats([Float])
        case base64(String)

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .floats(let v): try c.encode(v)
            case .base64(let s): try c.encode(s)
            }
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/embeddings") { request, _ in
            let body = try await request.decodeJSON(Body.self, configuration: state.configuration)
            let texts = try TextInput.texts(from: body.input, configuration: state.configuration)
            let base64: Bool
            switch body.encoding_format ?? "float" {
            case "float": base64 = false
            case "base64": base64 = true
            case let other: throw ServerError.badRequest("encoding_format must be 'float' or 'base64', not '\(other)'")
            }
            let requested = try TextInput.variant(model: body.model, embedder: state.embedder().0)
            let (batch, model, variant) = try await state.embed(texts, requestedVariant: requested)
            let items = batch.vectors.enumerated().map { i, v in
                Reply.Item(index: i, embedding: base64 ? .base64(Self.base64(v)) : .floats(v))
            }
            let tokens = batch.tokenCounts.reduce(0, +)
            var response = try Response.json(Reply(data: items, model: "\(model):\(variant)",
                                                    usage: .init(prompt_tokens: tokens, total_tokens: tokens)), variant: variant)
            response.headers[.arcaModel] = model
            return response
        }
    }

    static func base64(_ v: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count * 4)
        for x in v {
            let b = x.bitPattern
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * k))) }
        }
        return Data(bytes).base64EncodedString()
    }
}

/// Validation shared by the text routes.
enum TextInput {
    /// `input` as a list of texts: a string or an array of strings, within the text limits.
    static func texts(from input: JSONValue, configuration: ServerConfiguration) throws -> [String] {
        let texts: [String]
        switch input {
        case .string(let s):
            texts = [s]
        case .array(let items):
            texts = try items.map {
                guard let s = $0.stringValue else { throw ServerError.badRequest("input must be a string or an array of strings; token arrays are not supported") }
                return s
            }
        default:
            throw ServerError.badRequest("input must be a string or an array of strings")
        }
        try check(texts, configuration: configuration)
        return texts
    }

    static func check(_ texts: [String], configuration: ServerConfiguration) throws {
        guard !texts.isEmpty else { throw ServerError.badRequest("no input text") }
        guard texts.count <= configuration.maxTexts else {
            throw ServerError.tooLarge("\(texts.count) texts exceed the limit of \(configuration.maxTexts)")
        }
        for t in texts where t.utf8.count > configuration.maxTextBytes {
            throw ServerError.tooLarge("a text of \(t.utf8.count) bytes exceeds the limit of \(configuration.maxTextBytes)")
        }
    }

    /// The variant named by an OpenAI `model` field (`name` or `name:variant`); 404 for another model.
    static func variant(model: String?, embedder: any TextEmbedder) throws -> String? {
        guard let model, !model.isEmpty else { return nil }
        let parts = model.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.first == embedder.name else { throw ServerError.notFound("unknown model '\(model)'") }
        return parts.count == 2 ? parts[1] : nil
    }
}
