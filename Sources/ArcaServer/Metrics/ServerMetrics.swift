import Prometheus

/// The server's Prometheus metrics; `/metrics` renders ``registry``.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueDepth: Gauge
    private let cpuSeconds: Gauge
    private let residentBytes: Gauge

    private static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", unit: "", "Inference calls waiting for a worker."))
        cpuSeconds = registry.makeGauge(descriptor: Self.name("process_cpu", unit: "seconds", "User plus system CPU time of the process."))
        residentBytes = registry.makeGauge(descriptor: Self.name("process_resident_memory", unit: "bytes", "Resident set size of the process."))
    }

    private static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "arca", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one answered request; `failed` for any status of 400 and above.
    func request(route: String, model: String, variant: String, failed: Bool) {
        let labels = [("model", model), ("variant", variant), ("route", route)]
        registry.makeCounter(descriptor: Self.name("requests", unit: "total", "Requests answered."), labels: labels).increment()
        if failed {
            registry.makeCounter(descriptor: Self.name("failures", unit: "total", "Requests answered with an error."), labels: labels).increment()
        }
    }

    /// Records the queue wait and compute time of one model call.
    func call(model: String, variant: String, queue: Duration, compute: Duration) {
        let labels = [("model", model), ("variant", variant)]
        registry.makeValueHistogram(descriptor: Self.name("queue_time", unit: "seconds", "Time a call waited for a worker."),
                                    labels: labels, buckets: Self.latencyBuckets).record(queue.seconds)
        registry.makeValueHistogram(descriptor: Self.name("compute_time", unit: "seconds", "Time a model call ran."),
                                    labels: labels, buckets: Self.latencyBuckets).record(compute.seconds)
    }

    /// Records the number of requests merged into one embedding call.
    func batch(model: String, variant: String, size: Int) {
        registry.makeValueHistogram(descriptor: Self.name("batch_size", unit: "requests", "Requests merged per embedding call."),
                                    labels: [("model", model), ("variant", variant)], buckets: Self.batchBuckets).record(Double(size))
    }

    /// Refreshes the gauges sampled at scrape time and renders the text exposition format.
    func render(queued: Int) -> [UInt8] {
        queueDepth.set(Double(queued))
        let usage = ProcessUsage.sample()
        cpuSeconds.set(usage.cpuSeconds)
        if let rss = usage.residentBytes { residentBytes.set(Double(rss)) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
