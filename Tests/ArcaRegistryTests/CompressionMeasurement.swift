import ArcaTensor
import Foundation
import Testing
@testable import ArcaRegistry

/// Ratios and timings of ``WeightCodec`` on the real model weights; runs only with `ARCA_MEASURE_COMPRESSION=1`.
///
/// Float16 inputs are the concatenated FLOAT16 tensor buffers of each MediaPipe model, extracted by
/// `Tools/extract-f16-weights` into `$ARCA_MEASURE_F16_DIR/<model>.f16.bin`; float32 is the data region of
/// all-MiniLM-L6-v2 `model.safetensors`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ARCA_MEASURE_COMPRESSION"] == "1"))
struct CompressionMeasurement {
    func inputs() throws -> [(String, DType, [UInt8])] {
        var out: [(String, DType, [UInt8])] = []
        if let dir = ProcessInfo.processInfo.environment["ARCA_MEASURE_F16_DIR"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".f16.bin") {
                out.append((name, .float16, Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))))
            }
        }
        let st = TestSupport.modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2/model.safetensors")
        let bytes = Array(try Data(contentsOf: st))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        out.append(("all-MiniLM-L6-v2 safetensors data", .float32, Array(bytes[(8 + headerLength)...])))
        return out
    }

    @Test func measure() throws {
        for (name, dtype, raw) in try inputs() {
            let levels = ProcessInfo.processInfo.environment["ARCA_MEASURE_LEVELS"]?.split(separator: ",").compactMap { Int($0) } ?? [3, 9, 19]
            for level in levels {
                for split in [false, true] {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let blob = try WeightCodec.encode(raw, dtype: dtype, splitPlanes: split, level: level)
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    var decodeTimes: [Double] = []
                    for _ in 0..<3 {
                        let s = DispatchTime.now().uptimeNanoseconds
                        let decoded = try WeightCodec.decode(blob)
                        decodeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6)
                        #expect(decoded.bytes == raw)
                    }
                    let ratio = Double(raw.count) / Double(blob.count)
                    print(String(format: "MEASURE %@ %@ level=%d split=%@ raw=%d enc=%d ratio=%.4f encode_ms=%.1f decode_ms=%.1f",
                                 name, dtype.rawValue, level, split ? "yes" : "no", raw.count, blob.count, ratio,
                                 Double(t1 - t0) / 1e6, decodeTimes.sorted()[1]))
                }
            }
        }
    }

    @Test func sha256Throughput() {
        let data = TestSupport.randomBytes(64 << 20, seed: 1)
        let s = DispatchTime.now().uptimeNanoseconds
        let digest = SHA256.hash(data)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9
        #expect(digest.count == 32)
        print(String(format: "MEASURE sha256 64 MiB: %.1f ms, %.0f MB/s", seconds * 1e3, Double(data.count) / seconds / 1e6))
    }
}
