import ArcaTensor
import ArgumentParser
import ArcaKernels
import Foundation

struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "Time the kernels on BlazeFace, selfie segmentation and MiniLM shapes, float32 and uint8.")

    @Option(help: "Threads.") var threads: Int = 1
    @Option(help: "Timed runs per op; the median is reported (0: by op size).") var runs: Int = 0
    @Option(help: "Only ops whose name contains this.") var filter: String?
    @Flag(help: "Print one JSON array of {name, median_ms, gflops}.") var json = false

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be in 1...256") }
        guard runs >= 0, runs <= 100_000 else { throw ValidationError("--runs must be in 0...100000") }
    }

    func run() throws {
        let pool = ThreadPool(threadCount: threads)
        defer { pool.shutdown() }
        var rows: [(String, Double, Double)] = []
        for op in BenchOp.all + BenchOp.quantized where filter.map({ op.name.contains($0) }) ?? true {
            let body = op.make(pool)
            let n = runs > 0 ? runs : max(5, min(500, Int(3e8 / max(op.flops, 1))))
            for _ in 0..<max(2, n / 10) { body() }
            let times = (0..<n).map { _ in Stopwatch.time(body) }.sorted()
            let median = times[times.count / 2]
            rows.append((op.name, median * 1e3, op.flops / median / 1e9))
        }
        if json {
            print("[" + rows.map { JSONLine([("name", .string($0.0)), ("median_ms", .double($0.1)), ("gflops", .double($0.2))]).text }
                .joined(separator: ",\n ") + "]")
        } else {
            func padded(_ s: String) -> String { s.count >= 36 ? s : s + String(repeating: " ", count: 36 - s.count) }
            print(padded("op (threads=\(threads))") + "  median ms    GFLOPS")
            for (name, ms, gf) in rows { print(padded(name) + String(format: " %10.4f %9.2f", ms, gf)) }
            print(padded("total") + String(format: " %10.4f", rows.reduce(0) { $0 + $1.1 }))
        }
    }
}

/// One benchmarked kernel call on fixed random data; `make` allocates and prepares, the closure runs once.
struct BenchOp {
    let name: String
    let flops: Double
    let make: (ThreadPool) -> () -> Void

    static func data(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        var rng = SplitMix64(seed: seed)
        for i in 0..<count { p[i] = rng.nextFloat() - 0.5 }
        return p
    }

    /// A convolution with TFLite SAME padding.
    static func conv(_ name: String, h: Int, c: Int, outC: Int, k: Int, stride: Int) -> BenchOp {
        let (pt, pb) = Conv2DParams.samePadding(input: h, kernel: k, stride: stride, dilation: 1)
        let p = Conv2DParams(batch: 1, inH: h, inW: h, inC: c, outC: outC, kH: k, kW: k, strideH: stride, strideW: stride,
                             padTop: pt, padLeft: pt, padBottom: pb, padRight: pb)
        let flops = 2.0 * Double(p.outH * p.outW * outC * k * k * c)
        return BenchOp(name: name, flops: flops) { pool in
            let x = data(h * h * c, seed: 1), w = data(outC * k * k * c, seed: 2), b = data(outC, seed: 3)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: p.outH * p.outW * outC)
            let prepared = Conv2D.prepare(p, weights: w, pool: pool)
            return {
                Conv2D.run(p, prepared: prepared, input: x, bias: b, activation: .relu, output: y, pool: pool)
            }
        }
    }

    static func depthwise(_ name: String, h: Int, c: Int, k: Int, stride: Int) -> BenchOp {
        let (pt, pb) = Conv2DParams.samePadding(input: h, kernel: k, stride: stride, dilation: 1)
        let p = DepthwiseConv2DParams(batch: 1, inH: h, inW: h, inC: c, kH: k, kW: k, strideH: stride, strideW: stride,
                                      padTop: pt, padLeft: pt, padBottom: pb, padRight: pb)
        let flops = 2.0 * Double(p.outH * p.outW * c * k * k)
        return BenchOp(name: name, flops: flops) { pool in
            let x = data(h * h * c, seed: 1), w = data(k * k * c, seed: 2), b = data(c, seed: 3)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: p.outH * p.outW * c)
            return {
                DepthwiseConv2D.run(p, input: x, weights: w, bias: b, activation: .none, output: y, pool: pool)
            }
        }
    }

    static func add(_ name: String, count: Int) -> BenchOp {
        BenchOp(name: name, flops: Double(count)) { pool in
            let a = data(count, seed: 1), b = data(count, seed: 2)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: count)
            let p = BinaryParams(op: .add, aShape: [count], bShape: [count])
            return { Binary.run(p, a: a, b: b, activation: .relu, output: y, pool: pool) }
        }
    }

    static func gemm(_ name: String, m: Int, k: Int, n: Int) -> BenchOp {
        BenchOp(name: name, flops: 2.0 * Double(m * n * k)) { pool in
            let a = data(m * k, seed: 1), b = data(k * n, seed: 2), bias = data(n, seed: 3)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            let packed = PackedB(MatrixOperand(b, rowStride: n), k: k, n: n, pool: pool)
            return {
                GEMM.sgemm(m: m, a: MatrixOperand(a, rowStride: k), b: packed, c: c, ldc: n,
                           epilogue: GEMMEpilogue(bias: bias), pool: pool)
            }
        }
    }

    /// An activation over `count` floats in place (the GFLOPS column counts one op per element).
    static func activation(_ name: String, _ act: Activation, count: Int) -> BenchOp {
        BenchOp(name: name, flops: Double(count)) { pool in
            let x = data(count, seed: 4)
            return { act.apply(x, count: count) }
        }
    }

    /// BlazeFace short range (128x128x3 input) layer shapes, selfie segmentation ones, then MiniLM-L6 GEMMs (128 tokens).
    static var all: [BenchOp] { [
        conv("bf conv5x5 s2 128x128 3->24", h: 128, c: 3, outC: 24, k: 5, stride: 2),
        depthwise("bf dw3x3 s1 64x64x24", h: 64, c: 24, k: 3, stride: 1),
        conv("bf 1x1 64x64 24->24", h: 64, c: 24, outC: 24, k: 1, stride: 1),
        conv("bf 1x1 64x64 24->28", h: 64, c: 24, outC: 28, k: 1, stride: 1),
        depthwise("bf dw3x3 s2 64->32 x28", h: 64, c: 28, k: 3, stride: 2),
        depthwise("bf dw3x3 s1 32x32x32", h: 32, c: 32, k: 3, stride: 1),
        conv("bf 1x1 32x32 28->32", h: 32, c: 28, outC: 32, k: 1, stride: 1),
        add("bf add 64x64x28", count: 64 * 64 * 28),
        conv("bf 1x1 32x32 32->36", h: 32, c: 32, outC: 36, k: 1, stride: 1),
        conv("bf 1x1 32x32 42->48", h: 32, c: 42, outC: 48, k: 1, stride: 1),
        depthwise("bf dw3x3 s2 32->16 x48", h: 32, c: 48, k: 3, stride: 2),
        depthwise("bf dw3x3 s1 16x16x88", h: 16, c: 88, k: 3, stride: 1),
        conv("bf 1x1 16x16 88->96", h: 16, c: 88, outC: 96, k: 1, stride: 1),
        depthwise("bf dw3x3 s2 16->8 x96", h: 16, c: 96, k: 3, stride: 2),
        depthwise("bf dw3x3 s1 8x8x96", h: 8, c: 96, k: 3, stride: 1),
        conv("bf 1x1 8x8 96->96", h: 8, c: 96, outC: 96, k: 1, stride: 1),
        conv("selfie conv3x3 s2 256x256 3->16", h: 256, c: 3, outC: 16, k: 3, stride: 2),
        conv("selfie 1x1 128x128 16->16", h: 128, c: 16, outC: 16, k: 1, stride: 1),
        depthwise("selfie dw3x3 s1 128x128x16", h: 128, c: 16, k: 3, stride: 1),
        depthwise("selfie dw5x5 s1 32x32x32", h: 32, c: 32, k: 5, stride: 1),
        depthwise("selfie dw5x5 s2 32->16 x64", h: 32, c: 64, k: 5, stride: 2),
        gemm("minilm 128x384x384", m: 128, k: 384, n: 384),
        gemm("minilm 128x384x1536", m: 128, k: 384, n: 1536),
        gemm("minilm 128x1536x384", m: 128, k: 1536, n: 384),
        activation("minilm gelu 128x1536", .gelu, count: 128 * 1536),
    ] }
}
