/// What is known of one variant before a request is sent to it: the facts its model config
/// records (accuracy against its reference, latency where it was published) and its latency
/// measured on this node while the server warmed up. A ``VariantPolicy`` reads them through
/// ``ServedModel/facts(variant:)``; `GET /v2/models/{m}` lists them under
/// `parameters.variants`.
///
/// The config's latencies were measured on the publishing machine and may be far from this
/// node's (an int8 variant that is faster with VNNI can be slower without it): the measured one
/// is what the node itself saw.
public struct VariantFacts: Sendable, Equatable, Encodable {
    /// One latency the model config records.
    public struct Latency: Sendable, Equatable, Encodable {
        public var threads: Int
        public var batch: Int
        public var seq: Int
        public var medianMs: Double

        public init(threads: Int, batch: Int, seq: Int, medianMs: Double) {
            self.threads = threads
            self.batch = batch
            self.seq = seq
            self.medianMs = medianMs
        }

        private enum CodingKeys: String, CodingKey {
            case threads, batch, seq
            case medianMs = "median_ms"
        }
    }

    /// "float32" or "int8".
    public var dtype: String
    public var accuracyMetric: String
    public var expectedAccuracy: Double
    public var configLatency: [Latency]
    /// Median compute time of the timed warm-up calls on this node, in milliseconds (nil when
    /// not measured).
    public var measuredLatencyMs: Double?
    /// The call that was timed (e.g. "one image, 1 kernel thread").
    public var measuredCall: String?

    public init(dtype: String, accuracyMetric: String, expectedAccuracy: Double, configLatency: [Latency],
                measuredLatencyMs: Double? = nil, measuredCall: String? = nil) {
        self.dtype = dtype
        self.accuracyMetric = accuracyMetric
        self.expectedAccuracy = expectedAccuracy
        self.configLatency = configLatency
        self.measuredLatencyMs = measuredLatencyMs
        self.measuredCall = measuredCall
    }

    private enum CodingKeys: String, CodingKey {
        case dtype
        case accuracyMetric = "accuracy_metric"
        case expectedAccuracy = "expected_accuracy"
        case configLatency = "config_latency"
        case measuredLatencyMs = "measured_latency_ms"
        case measuredCall = "measured_call"
    }
}
