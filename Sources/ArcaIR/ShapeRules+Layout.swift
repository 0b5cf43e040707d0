import ArcaTensor

/// Typing rules of the ops that move elements without arithmetic.
extension ShapeRules {
    static func concat(axis: Int, _ x: RuleInputs) throws -> (DType, [Int]) {
        guard x.count >= 1 else { throw RuleFailure.inputCount("1 or more") }
        let first = x[0].shape
        let ax = try self.axis(axis, rank: first.count)
        var out = first
        for i in 1..<x.count {
            guard x[i].dtype == x[0].dtype else { throw RuleFailure.dtype(input: i, expected: "\(x[0].dtype)") }
            let s = x[i].shape
            guard s.count == first.count else { throw RuleFailure.shape("concat of ranks \(first.count) and \(s.count)") }
            for d in 0..<s.count where d != ax && !same(s[d], out[d]) {
                throw RuleFailure.shape("concat on axis \(ax) of \(first) and \(s)")
            }
            for d in 0..<s.count where d != ax && out[d] < 0 { out[d] = s[d] }
            out[ax] = out[ax] < 0 || s[ax] < 0 ? -1 : out[ax] + s[ax]
        }
        return (x[0].dtype, out)
    }

    static func pad(_ a: PadAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        let s = x[0].shape
        guard a.before.count == s.count, a.after.count == s.count else {
            throw RuleFailure.attribute("pads \(a.before)/\(a.after) do not match rank \(s.count)")
        }
        try bounded(a.before + a.after, "pads")
        guard a.before.allSatisfy({ $0 >= 0 }), a.after.allSatisfy({ $0 >= 0 }) else {
            throw RuleFailure.attribute("negative pads \(a.before)/\(a.after)")
        }
        return (x[0].dtype, s.indices.map { s[$0] < 0 ? -1 : s[$0] + a.before[$0] + a.after[$0] })
    }

    static func reshape(_ newShape: [Int], _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        guard newShape.allSatisfy({ $0 >= -1 && $0 <= maxDim }), newShape.filter({ $0 == -1 }).count <= 1 else {
            throw RuleFailure.attribute("reshape target \(newShape)")
        }
        guard let n = count(x[0].shape) else { return (x[0].dtype, newShape) }
        var out = newShape
        var known = 1
        for d in newShape where d >= 0 {
            let (p, o) = known.multipliedReportingOverflow(by: d)
            guard !o else { throw RuleFailure.shape("reshape target \(newShape) overflows") }
            known = p
        }
        if let hole = newShape.firstIndex(of: -1) {
            guard known > 0, n % known == 0 else { throw RuleFailure.shape("cannot reshape \(x[0].shape) to \(newShape)") }
            out[hole] = n / known
        } else {
            guard known == n else { throw RuleFailure.shape("cannot reshape \(x[0].shape) to \(newShape)") }
        }
        return (x[0].dtype, out)
    }

    static func transpose(_ perm: [Int], _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        let s = x[0].shape
        guard perm.count == s.count, Set(perm) == Set(0..<s.count) else {
            throw RuleFailure.attribute("perm \(perm) is not a permutation of rank \(s.count)")
        }
        return (x[0].dtype, perm.map { s[$0] })
    }

    /// data `[d0, …, d_axis, …]`, indices `I` → `d[..<axis] + I + d[axis+1...]`.
    static func gather(axis: Int, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        guard x[1].dtype == .int32 || x[1].dtype == .int64 else { throw RuleFailure.dtype(input: 1, expected: "int32 or int64") }
        let s = x[0].shape
        let ax = try self.axis(axis, rank: s.count)
        if let idx = x.constants[1], s[ax] >= 0 {
            let limit = s[ax]
            if let bad = idx.ints().first(where: { $0 < -limit || $0 >= limit }) {
                throw RuleFailure.shape("constant index \(bad) out of range for axis of size \(limit)")
            }
        }
        return (x[0].dtype, Array(s[..<ax]) + x[1].shape + Array(s[(ax + 1)...]))
    }
}
