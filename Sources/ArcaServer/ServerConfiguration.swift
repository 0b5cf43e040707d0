/// Tunables of ``ArcaServer``; the `arca serve` flags map onto these.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Calls waiting per model before new ones are refused with 429.
    public var maxQueue = 64
    /// Embedding requests merged into one call at most.
    public var maxBatch = 16
    /// Longest wait for more embedding requests once one is waiting.
    public var batchDelay: Duration = .milliseconds(5)
    /// Worker threads running model calls.
    public var threads = 2
    /// A request waiting longer than this for its model is answered 504.
    public var requestTimeout: Duration = .seconds(30)
    /// Request body limit (413 above).
    public var maxBodyBytes = 32 << 20
    /// JSON nesting limit (400 above).
    public var maxJSONDepth = 64
    /// Elements of all input tensors of one OIP request.
    public var maxTensorElements = 1 << 24
    /// Encoded image size on the image task routes (413 above).
    public var maxImageBytes = 16 << 20
    /// Texts in one embedding or text task request.
    public var maxTexts = 1024
    /// UTF-8 bytes of one text.
    public var maxTextBytes = 64 << 10

    public init() {}
}
