import Foundation

/// A fixed-seed generator for benchmark inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

enum Stopwatch {
    /// Seconds taken by `body`, on the monotonic clock.
    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// A flat JSON object printed on one line, keys in the given order.
struct JSONLine {
    enum Value {
        case int(Int), double(Double), bool(Bool), string(String)
    }
    let fields: [(String, Value)]
    init(_ fields: [(String, Value)]) { self.fields = fields }

    var text: String {
        "{" + fields.map { key, value in
            let v: String
            switch value {
            case .int(let i): v = String(i)
            case .double(let d): v = d.isFinite ? String(format: "%.6g", d) : "null"
            case .bool(let b): v = b ? "true" : "false"
            case .string(let s): v = "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            return "\"\(key)\": \(v)"
        }.joined(separator: ", ") + "}"
    }
}
