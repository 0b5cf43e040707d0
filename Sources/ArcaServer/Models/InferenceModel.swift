/// Something the server hosts under a name, in one or more variants (OIP "versions").
///
/// A variant is a build of the same model (for example `short_range` and `full_range`, or
/// `fp32` and `int8`); the ``VariantPolicy`` picks one per request.
public protocol ServedModel: Sendable {
    /// URL-safe model name (`[A-Za-z0-9_.-]`).
    var name: String { get }
    /// Every variant this model can run; never empty.
    var variants: [String] { get }
    /// The variant used when a request names none; one of ``variants``.
    var defaultVariant: String { get }
    /// What is known of `variant` (config facts, latency measured on this node); nil when
    /// nothing is, or for an unknown variant.
    func facts(variant: String) -> VariantFacts?
}

extension ServedModel {
    public func facts(variant: String) -> VariantFacts? { nil }
}

/// A request to an ``InferenceModel``: inputs already checked against the model's declared
/// names, datatypes and shapes, and a variant from the model's ``ServedModel/variants``.
public struct InferenceRequest: Sendable {
    public var id: String?
    public var variant: String
    public var inputs: [InferenceTensor]
    /// Free-form request parameters (OIP `parameters`), minus the binary-extension ones.
    public var parameters: [String: JSONValue]

    public init(id: String? = nil, variant: String, inputs: [InferenceTensor], parameters: [String: JSONValue] = [:]) {
        self.id = id
        self.variant = variant
        self.inputs = inputs
        self.parameters = parameters
    }

    /// The input called `name`, if present.
    public func input(_ name: String) -> InferenceTensor? { inputs.first { $0.name == name } }
}

/// The outputs of one inference, in any order; the server filters them to the requested ones.
public struct InferenceResponse: Sendable {
    public var outputs: [InferenceTensor]
    public init(outputs: [InferenceTensor]) { self.outputs = outputs }
}

/// A tensor-in, tensor-out model served through OIP v2 (`/v2/models/{name}/infer`).
///
/// `infer` is synchronous CPU work: the server calls it on one of its worker threads, never on
/// an event loop, and at most `--threads` calls run at once across all models. It may block.
/// Throw ``InferenceError/invalidInput(_:)`` for inputs that are well-formed tensors but
/// unusable (answered 400); any other error is answered 500.
public protocol InferenceModel: ServedModel {
    var inputs: [TensorMetadata] { get }
    var outputs: [TensorMetadata] { get }
    func infer(_ request: InferenceRequest) throws -> InferenceResponse
}

/// Errors a model or task implementation throws to say what went wrong in HTTP terms.
public enum InferenceError: Error, Equatable, CustomStringConvertible {
    /// The input cannot be processed (undecodable image, empty text, …): 400.
    case invalidInput(String)
    /// The model is not loaded or not warmed up yet: 503.
    case unavailable(String)
    /// The model or variant does not exist: 404.
    case notFound(String)

    public var description: String {
        switch self {
        case .invalidInput(let m), .unavailable(let m), .notFound(let m): m
        }
    }
}
