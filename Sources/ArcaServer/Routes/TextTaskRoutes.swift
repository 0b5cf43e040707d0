import ArcaTasks
import Hummingbird

/// Text tasks on the sentence embedder (`?variant=` picks a variant; `Arca-Variant` names it):
///
/// `POST /v1/similarity` — `{"a", "b"}` → `{"similarity"}`; `{"texts": [...]}` → `{"matrix": [[…]]}` (cosine).
/// `POST /v1/search` — `{"query", "corpus": [...], "top_k"?}` → `{"results": [{"index", "score", "text"}]}`, best first.
/// `POST /v1/classify` — `{"text", "labels": [...]}` → `{"label", "scores": [{"label", "score"}]}`: zero-shot,
///   cosine similarity of the text to each label, best first.
/// `POST /v1/keywords` — `{"text", "top_k"?}` → `{"keywords": [{"keyword", "score"}]}`: KeyBERT-style
///   1–2 word candidates ranked by similarity to the text with maximal marginal relevance (diversity 0.5).
struct TextTaskRoutes {
    let state: ServerState

    static let maxKeywordCandidates = 256

    private struct SimilarityBody: Decodable { var a: String?; var b: String?; var texts: [String]? }
    private struct SearchBody: Decodable { var query: String; var corpus: [String]; var top_k: Int? }
    private struct ClassifyBody: Decodable { var text: String; var labels: [String] }
    private struct KeywordsBody: Decodable { var text: String; var top_k: Int? }

    private struct Scored: Encodable { var index: Int; var score: Float; var text: String }
    private struct LabelScore: Encodable { var label: String; var score: Float }
    private struct Keyword: Encodable { var keyword: String; var score: Float }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/similarity") { request, _ in
            let body = try await request.decodeJSON(SimilarityBody.self, configuration: state.configuration)
            if let a = body.a, let b = body.b, body.texts == nil {
                let (e, model, variant) = try await embed([a, b], request)
                return try reply(["similarity": TextTasks.cosine(e[0], e[1])], model, variant)
            }
            guard let texts = body.texts, body.a == nil, body.b == nil, texts.count >= 2 else {
                throw ServerError.badRequest("give either \"a\" and \"b\", or \"texts\" with at least two texts")
            }
            let (e, model, variant) = try await embed(texts, request)
            let matrix = e.map { x in e.map { y in TextTasks.cosine(x, y) } }
            return try reply(["matrix": matrix], model, variant)
        }
        router.post("/v1/search") { request, _ in
            let body = try await request.decodeJSON(SearchBody.self, configuration: state.configuration)
            guard !body.corpus.isEmpty else { throw ServerError.badRequest("corpus is empty") }
            let k = try topK(body.top_k, default: 5)
            let (e, model, variant) = try await embed([body.query] + body.corpus, request)
            let scores = e.dropFirst().map { TextTasks.cosine(e[0], $0) }
            let results = TextTasks.topK(scores, k).map { Scored(index: $0, score: scores[$0], text: body.corpus[$0]) }
            return try reply(["results": results], model, variant)
        }
        router.post("/v1/classify") { request, _ in
            let body = try await request.decodeJSON(ClassifyBody.self, configuration: state.configuration)
            guard !body.labels.isEmpty else { throw ServerError.badRequest("labels are empty") }
            let (e, model, variant) = try await embed([body.text] + body.labels, request)
            let scores = e.dropFirst().map { TextTasks.cosine(e[0], $0) }
            let ranked = TextTasks.topK(scores, scores.count).map { LabelScore(label: body.labels[$0], score: scores[$0]) }
            return try reply(ClassifyReply(label: ranked[0].label, scores: ranked), model, variant)
        }
        router.post("/v1/keywords") { request, _ in
            let body = try await request.decodeJSON(KeywordsBody.self, configuration: state.configuration)
            let k = try topK(body.top_k, default: 5)
            let candidates = KeywordCandidates.candidates(in: body.text, limit: Self.maxKeywordCandidates)
            guard !candidates.isEmpty else { return try reply(["keywords": [Keyword]()], nil, nil) }
            let (e, model, variant) = try await embed([body.text] + candidates, request)
            let chosen = MaximalMarginalRelevance.select(document: e[0], candidates: Array(e.dropFirst()), k: k, diversity: 0.5)
            let keywords = chosen.map { Keyword(keyword: candidates[$0], score: TextTasks.cosine(e[$0 + 1], e[0])) }
            return try reply(["keywords": keywords], model, variant)
        }
    }

    private struct ClassifyReply: Encodable { var label: String; var scores: [LabelScore] }

    private func topK(_ k: Int?, default d: Int) throws -> Int {
        let k = k ?? d
        guard k >= 1 else { throw ServerError.badRequest("top_k must be at least 1") }
        return k
    }

    private func embed(_ texts: [String], _ request: Request) async throws -> ([[Float]], String, String) {
        try TextInput.check(texts, configuration: state.configuration)
        let (batch, model, variant) = try await state.embed(texts, requestedVariant: request.uri.queryParameters.get("variant"))
        return (batch.vectors, model, variant)
    }

    private func reply(_ value: some Encodable, _ model: String?, _ variant: String?) throws -> Response {
        var response = try Response.json(value, variant: variant)
        if let model { response.headers[.arcaModel] = model }
        return response
    }
}
