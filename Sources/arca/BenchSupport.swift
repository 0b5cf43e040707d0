import ArcaTensor
import Foundation

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
