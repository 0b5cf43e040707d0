/// What a model variant is, how to feed it and what to expect of it: the config blob of a manifest.
///
/// Serialized as the protobuf message `arca.v1.ModelConfig` (`Proto/arca/model_config.proto`)
/// by ``ModelConfig/serialized()`` and ``ModelConfig/init(serialized:)``.
public struct ModelConfig: Sendable, Hashable, Codable {
    public enum Task: String, Sendable, Hashable, CaseIterable, Codable {
        case faceDetection, selfieSegmentation, textEmbedding, generic
    }

    public struct TensorSpec: Sendable, Hashable, Codable {
        public var name: String
        /// An ``ArcaTensor/DType`` raw value.
        public var dtype: String
        /// -1 marks a dynamic dimension.
        public var shape: [Int64]
        public init(name: String, dtype: String, shape: [Int64]) {
            self.name = name; self.dtype = dtype; self.shape = shape
        }
    }

    public struct Preprocessing: Sendable, Hashable, Codable {
        /// "stretch", "letterbox" or "crop"; empty for non-image models.
        public var resizeMode = ""
        public var valueMin: Float = 0
        public var valueMax: Float = 1
        public var inputWidth: Int32 = 0
        public var inputHeight: Int32 = 0
        public var keepAspect = false
        public init() {}
    }

    public struct AnchorOptions: Sendable, Hashable, Codable {
        public var numLayers: Int32 = 0
        public var minScale: Float = 0
        public var maxScale: Float = 0
        public var inputSizeWidth: Int32 = 0
        public var inputSizeHeight: Int32 = 0
        public var anchorOffsetX: Float = 0.5
        public var anchorOffsetY: Float = 0.5
        public var strides: [Int32] = []
        public var aspectRatios: [Float] = []
        public var fixedAnchorSize = false
        public var interpolatedScaleAspectRatio: Float = 1
        public init() {}
    }

    public struct Postprocessing: Sendable, Hashable, Codable {
        public var anchors: AnchorOptions?
        public var scoreThreshold: Float = 0
        public var nmsThreshold: Float = 0
        public var numKeypoints: Int32 = 0
        /// Settings without a typed field; serialized in key order.
        public var extra: [String: String] = [:]
        public init() {}
    }

    public struct LatencyFact: Sendable, Hashable, Codable {
        public var threads: Int32
        public var batch: Int32
        public var seq: Int32
        public var medianMs: Double
        public init(threads: Int32, batch: Int32 = 1, seq: Int32 = 0, medianMs: Double) {
            self.threads = threads; self.batch = batch; self.seq = seq; self.medianMs = medianMs
        }
    }

    public struct VariantFacts: Sendable, Hashable, Codable {
        /// "float32" or "int8".
        public var dtype = "float32"
        public var expectedAccuracy: Double = 0
        public var accuracyMetric = ""
        public var latency: [LatencyFact] = []
        public var sizeBytes: UInt64 = 0
        public init() {}
    }

    public struct Source: Sendable, Hashable, Codable {
        public var uri = ""
        public var sha256 = ""
        public var package = ""
        public var version = ""
        public var memberPath = ""
        public init() {}
    }

    public var name: String
    public var variant: String
    public var task: Task
    public var inputs: [TensorSpec] = []
    public var outputs: [TensorSpec] = []
    public var preprocessing: Preprocessing?
    public var postprocessing: Postprocessing?
    public var facts: VariantFacts?
    public var source: Source?
    public var licence = ""
    public var createdBy = ""
    public var arcaVersion = ""

    public init(name: String, variant: String, task: Task) {
        self.name = name; self.variant = variant; self.task = task
    }
}

/// Why a model config was refused.
public enum ModelConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    case malformedProtobuf
    case invalidUTF8(field: String)
    case invalid(field: String, reason: String)
    case tooMany(field: String, count: Int, limit: Int)
    case unknownTask(Int)
    case outOfMemory

    public var description: String {
        switch self {
        case .tooLarge(let s, let l): "model config of \(s) bytes is over the limit of \(l)"
        case .malformedProtobuf: "model config is not a valid arca.v1.ModelConfig protobuf"
        case .invalidUTF8(let f): "model config field \(f) is not valid UTF-8"
        case .invalid(let f, let r): "model config field \(f): \(r)"
        case .tooMany(let f, let n, let l): "model config field \(f) has \(n) entries, limit \(l)"
        case .unknownTask(let t): "model config has unknown task \(t)"
        case .outOfMemory: "model config: out of memory"
        }
    }
}
