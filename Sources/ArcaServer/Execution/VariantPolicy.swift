/// What a ``VariantPolicy`` knows about a model's current load.
public struct LoadSignals: Sendable, Equatable {
    /// Calls waiting in the model's queue.
    public var queueDepth: Int
    /// Calls of the model running now.
    public var inFlight: Int
    /// Exponentially weighted recent compute time per call, in seconds (0 before the first).
    public var recentLatency: Double

    public init(queueDepth: Int, inFlight: Int, recentLatency: Double) {
        self.queueDepth = queueDepth
        self.inFlight = inFlight
        self.recentLatency = recentLatency
    }
}

/// Picks the variant that serves a request. Called on the request path: must return in
/// microseconds and must not block.
///
/// The returned name should be one of the model's variants; an unknown one is answered 404.
/// `model.facts(variant:)` gives each variant's accuracy and latency (its config's, and the one
/// measured on this node at start-up) for policies that trade one against the other.
public protocol VariantPolicy: Sendable {
    func choose(model: any ServedModel, requested: String?, load: LoadSignals) -> String
}

/// The variant the client asked for, else the model's default.
public struct RequestedOrDefaultPolicy: VariantPolicy {
    public init() {}
    public func choose(model: any ServedModel, requested: String?, load: LoadSignals) -> String {
        requested ?? model.defaultVariant
    }
}
