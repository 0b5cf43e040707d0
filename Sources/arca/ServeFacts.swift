import ArcaRegistry
import ArcaServer
import Foundation

/// The ``VariantFacts`` `arca serve` gives each variant: its model config's facts, and the
/// median of a few timed calls made after every model has loaded and warmed up (one at a time,
/// so no call is timed against another's loading).
enum ServeFacts {
    /// Timed calls per variant: enough for a median that one preemption does not move, few
    /// enough to keep start-up well under a second (eight vision variants of 1–5 ms each).
    static let runs = 5

    /// The config facts of `ref` (`NAME:VARIANT`) in `store`, nil when it has none.
    static func config(_ ref: String, store: ModelStore) -> VariantFacts? {
        guard let manifest = try? store.manifest(ref), let config = try? store.config(of: manifest), let f = config.facts else { return nil }
        return VariantFacts(dtype: f.dtype, accuracyMetric: f.accuracyMetric, expectedAccuracy: f.expectedAccuracy,
                            configLatency: f.latency.map {
                                VariantFacts.Latency(threads: Int($0.threads), batch: Int($0.batch), seq: Int($0.seq), medianMs: $0.medianMs)
                            })
    }

    /// Config facts of every variant of `model` with the median of ``runs`` timed `call`s.
    static func measure(model: String, variants: [String], store: ModelStore, call description: String,
                        _ call: (String) throws -> Void) throws -> [String: VariantFacts] {
        var facts: [String: VariantFacts] = [:]
        for v in variants {
            var f = config("\(model):\(v)", store: store)
                ?? VariantFacts(dtype: "", accuracyMetric: "", expectedAccuracy: 0, configLatency: [])
            var times: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                try call(v)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            f.measuredLatencyMs = times.sorted()[times.count / 2]
            f.measuredCall = description
            facts[v] = f
        }
        return facts
    }
}
