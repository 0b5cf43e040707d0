import ArcaServer
import Logging

/// The models `arca serve` hosts. Until the runtime's models are wired in here, the server
/// starts with none: every model route answers 404.
enum ServeBackend {
    static func makeProvider(logger: Logger) throws -> any ModelProvider {
        logger.warning("no models are wired into `arca serve` yet; serving an empty repository")
        return NoModels()
    }
}

private struct NoModels: ModelProvider {
    var models: [any InferenceModel] { [] }
    var faceDetector: (any FaceDetector)? { nil }
    var segmenter: (any Segmenter)? { nil }
    var textEmbedder: (any TextEmbedder)? { nil }
    var isReady: Bool { true }
    func isReady(model: String) -> Bool { false }
    var repositoryIndex: [String] { [] }
    func load(model: String) throws { throw InferenceError.notFound("unknown model '\(model)'") }
    func unload(model: String) throws { throw InferenceError.notFound("unknown model '\(model)'") }
}
