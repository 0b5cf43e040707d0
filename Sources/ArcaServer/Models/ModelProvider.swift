/// Everything the server serves, and their lifecycle. The lead's runtime implements this.
///
/// Properties are read on request paths: keep them cheap (no loading, no locks held long).
/// Names are unique across all models; one object may be both a task model and an
/// ``InferenceModel`` (listed in both places under one name: it then shares one queue).
public protocol ModelProvider: Sendable {
    /// Tensor models exposed through OIP v2.
    var models: [any InferenceModel] { get }
    var faceDetector: (any FaceDetector)? { get }
    var segmenter: (any Segmenter)? { get }
    var textEmbedder: (any TextEmbedder)? { get }

    /// True while the provider does not know its models yet (``StartingProvider`` before it
    /// is finished): every route but the health, server metadata and metrics ones answers 503.
    var isStarting: Bool { get }
    /// True once every model is loaded and warmed up (`/v2/health/ready`).
    var isReady: Bool { get }
    /// Whether one model (any of the above, by name) is loaded and warmed up.
    func isReady(model: String) -> Bool

    /// Names every model known to the repository, loaded or not (`/v2/repository/index`).
    var repositoryIndex: [String] { get }
    /// Loads (and warms up) a model; called on a worker thread, may block.
    func load(model: String) throws
    /// Unloads a model; afterwards `isReady(model:)` is false.
    func unload(model: String) throws
}

extension ModelProvider {
    public var isStarting: Bool { false }
}
