import ArgumentParser
import ArcaKernels
import ArcaTensor
import Foundation

struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "Time fp32 (or --int8) GEMM C[M,N] = A[M,K]·B[K,N].")

    @Option(help: "Rows of A and C.") var m: Int = 1024
    @Option(help: "Columns of B and C.") var n: Int = 1024
    @Option(help: "Inner dimension.") var k: Int = 1024
    @Option(help: "Threads.") var threads: Int = 1
    @Option(help: "Timed runs; the median is reported.") var runs: Int = 0
    @Flag(help: "Pack B ahead of time, as the runtime does for weights.") var prepacked = false
    @Flag(help: "Print a JSON object.") var json = false
    @Flag(help: "Add a bias per column in the epilogue.") var bias = false
    @Option(help: "Activation fused into the epilogue (none, relu, gelu, ...).") var activation = "none"
    @Flag(help: "Time the dynamically quantized int8 GEMM instead (per-row A, per-column int8 B prepacked; GFLOPS count 2 ops per multiply-add).")
    var int8 = false

    func validate() throws {
        guard m > 0, n > 0, k > 0, m * k <= 1 << 28, k * n <= 1 << 28, m * n <= 1 << 28 else {
            throw ValidationError("dimensions must be positive and each matrix at most 2^28 elements")
        }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be in 1...256") }
    }

    func run() throws {
        let pool = ThreadPool(threadCount: threads)
        defer { pool.shutdown() }
        // Operands live in tensor storage: 2 MiB-aligned huge pages when large, as numpy's arrays are.
        var rng = SplitMix64(seed: 1)
        let a = try Tensor(shape: [m, k], scalars: (0..<(m * k)).map { _ in rng.nextFloat() - 0.5 })
        let b = try Tensor(shape: [k, n], scalars: (0..<(k * n)).map { _ in rng.nextFloat() - 0.5 })
        let c = Tensor(zeros: [m, n])
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let runs = self.runs > 0 ? self.runs : max(5, min(200, Int(2e10 / flops)))
        let (m, n, k, prepacked) = (self.m, self.n, self.k, self.prepacked)
        let A = MatrixOperand(a.storage.bytes.assumingMemoryBound(to: Float.self), rowStride: k)
        let B = MatrixOperand(b.storage.bytes.assumingMemoryBound(to: Float.self), rowStride: n)
        let C = c.storage.bytes.assumingMemoryBound(to: Float.self)
        let packed = prepacked ? PackedB(B, k: k, n: n, pool: pool) : nil
        let biasValues = try Tensor(shape: [n], scalars: (0..<n).map { Float($0 % 7) * 0.01 })
        guard let act = Activation(rawValue: activation) else { throw ValidationError("unknown activation \(activation)") }
        let ep = GEMMEpilogue(bias: bias ? UnsafePointer(biasValues.storage.bytes.assumingMemoryBound(to: Float.self)) : nil, activation: act)
        let packedInt8: PackedInt8B? = int8 ? b.floats().withUnsafeBufferPointer { wf in
            let (q, scales) = Int8Quantization.quantizeColumns(wf.baseAddress!, k: k, n: n, transposed: false)
            return q.withUnsafeBufferPointer { qp in
                scales.withUnsafeBufferPointer { PackedInt8B(weights: qp.baseAddress!, scales: $0.baseAddress!, k: k, n: n, transposed: false, pool: pool) }
            }
        } : nil
        let once = {
            if let packedInt8 {
                QuantizedGEMM.run(m: m, a: A.base, lda: k, b: packedInt8, c: C, ldc: n, bias: ep.bias, activation: act, pool: pool)
            } else if let packed {
                GEMM.sgemm(m: m, a: A, b: packed, c: C, ldc: n, epilogue: ep, pool: pool)
            } else {
                GEMM.sgemm(m: m, n: n, k: k, a: A, b: B, c: C, ldc: n, epilogue: ep, pool: pool)
            }
        }
        for _ in 0..<max(2, runs / 10) { once() }
        let times = (0..<runs).map { _ in Stopwatch.time(once) }
        let median = times.sorted()[times.count / 2]
        let gflops = flops / median / 1e9
        if json {
            print(JSONLine([("m", .int(m)), ("n", .int(n)), ("k", .int(k)), ("threads", .int(threads)),
                            ("prepacked", .bool(prepacked)), ("int8", .bool(int8)), ("runs", .int(runs)),
                            ("median_ms", .double(median * 1e3)), ("gflops", .double(gflops))]).text)
        } else {
            print(String(format: "gemm %dx%dx%d threads=%d%@%@: %.3f ms, %.1f GFLOPS", m, n, k, threads,
                         prepacked ? " prepacked" : "", int8 ? " int8" : "", median * 1e3, gflops))
        }
    }
}
