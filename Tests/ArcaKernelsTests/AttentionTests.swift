import Testing
@testable import ArcaKernels

@Suite struct AttentionTests {
    @Test(arguments: [(1, 1, 1, 8), (2, 17, 3, 32), (3, 31, 2, 16), (1, 64, 12, 32), (2, 100, 4, 8)])
    func matchesReference(batch: Int, seq: Int, heads: Int, headDim: Int) {
        var rng = TestRNG(seed: UInt64(batch * 1000 + seq * 10 + heads))
        let w = heads * headDim
        // A fused QKV layout: each row holds q, k, v back to back.
        let rows = batch * seq
        let qkv = (0..<(rows * 3 * w)).map { _ in rng.float() }
        var mask = [Float](repeating: 1, count: rows)
        for b in 0..<batch {
            let len = b == 0 ? seq : rng.int(0..<(seq + 1))
            for j in len..<seq { mask[b * seq + j] = 0 }
            if seq > 4 && b == batch - 1 { mask[b * seq + 1] = 0 } // a hole inside the span
        }
        let p = AttentionParams(batch: batch, seq: seq, heads: heads, headDim: headDim,
                                scale: 1 / Float(headDim).squareRoot(), ldq: 3 * w, ldk: 3 * w, ldv: 3 * w)
        var fast = [Float](repeating: .nan, count: rows * w)
        var ref = fast
        qkv.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                let q = x.baseAddress!, k = q + w, v = q + 2 * w
                fast.withUnsafeMutableBufferPointer { Attention.run(p, q: q, k: k, v: v, mask: m.baseAddress, output: $0.baseAddress!, pool: .shared) }
                ref.withUnsafeMutableBufferPointer { Reference.attention(p, q: q, k: k, v: v, mask: m.baseAddress, output: $0.baseAddress!) }
            }
        }
        let tol = Attention.tolerance(p)
        for i in 0..<(rows * w) {
            #expect(tol.allows(fast[i], ref[i]), "at \(i): \(fast[i]) vs \(ref[i])")
        }
    }
}
