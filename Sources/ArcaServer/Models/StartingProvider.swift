import Synchronization

/// A ``ModelProvider`` that the server can listen with before its models exist: live at
/// once, serving nothing (every model route answers 503 with `Retry-After`, see
/// ``ModelProvider/isStarting``) until ``finish(_:)`` hands it the loaded provider, which
/// it forwards to from then on.
///
/// This is what lets `arca serve` answer `/v2/health/live` while it installs the zoo and
/// loads and warms the models, so that a liveness probe does not restart it meanwhile.
public final class StartingProvider: ModelProvider {
    private let inner = Mutex<(any ModelProvider)?>(nil)

    public init() {}

    /// Serves `provider` from now on.
    public func finish(_ provider: any ModelProvider) {
        inner.withLock { $0 = provider }
    }

    private var loaded: (any ModelProvider)? { inner.withLock { $0 } }

    public var isStarting: Bool { loaded == nil }
    public var models: [any InferenceModel] { loaded?.models ?? [] }
    public var faceDetector: (any FaceDetector)? { loaded?.faceDetector }
    public var segmenter: (any Segmenter)? { loaded?.segmenter }
    public var textEmbedder: (any TextEmbedder)? { loaded?.textEmbedder }
    public var isReady: Bool { loaded?.isReady ?? false }
    public func isReady(model: String) -> Bool { loaded?.isReady(model: model) ?? false }
    public var repositoryIndex: [String] { loaded?.repositoryIndex ?? [] }

    public func load(model: String) throws {
        guard let loaded else { throw InferenceError.unavailable(Self.startingMessage) }
        try loaded.load(model: model)
    }

    public func unload(model: String) throws {
        guard let loaded else { throw InferenceError.unavailable(Self.startingMessage) }
        try loaded.unload(model: model)
    }

    static let startingMessage = "the server is starting: its models are being installed and loaded"
}
