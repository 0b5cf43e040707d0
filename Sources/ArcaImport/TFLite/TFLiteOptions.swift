/// Parsed operator options for the operators the vision models use.
public enum TFLiteOptions: Sendable, Equatable {
    /// The operator has no options the importer needs (e.g. RELU, DEQUANTIZE, DENSIFY, PAD).
    case none
    case conv2D(TFLiteConv2DOptions)
    case depthwiseConv2D(TFLiteDepthwiseConv2DOptions)
    case pool2D(TFLitePool2DOptions)
    /// ADD, MUL.
    case elementwise(activation: TFLiteActivation)
    case concatenation(axis: Int, activation: TFLiteActivation)
    /// `new_shape` when present (the shape input tensor is authoritative when both exist).
    case reshape(newShape: [Int]?)
    case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
    case depthToSpace(blockSize: Int)
    /// TRANSPOSE_CONV and MediaPipe's custom `Convolution2DTransposeBias`.
    case transposeConv(TFLiteTransposeConvOptions)
    /// MEAN and other reductions.
    case reducer(keepDims: Bool)
}

public struct TFLiteConv2DOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideW: Int, strideH: Int
    public var dilationW: Int, dilationH: Int
    public var activation: TFLiteActivation
}

public struct TFLiteDepthwiseConv2DOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideW: Int, strideH: Int
    public var depthMultiplier: Int
    public var dilationW: Int, dilationH: Int
    public var activation: TFLiteActivation
}

public struct TFLitePool2DOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideW: Int, strideH: Int
    public var filterW: Int, filterH: Int
    public var activation: TFLiteActivation
}

public struct TFLiteTransposeConvOptions: Sendable, Equatable {
    public var padding: TFLitePadding
    public var strideW: Int, strideH: Int
    public var activation: TFLiteActivation
}

enum TFLiteOptionsParser {
    /// `BuiltinOptions` union tags (1-based position in the schema's union).
    enum Tag {
        static let conv2D = 1, depthwiseConv2D = 2, pool2D = 5, concatenation = 10, add = 11
        static let resizeBilinear = 15, reshape = 17, mul = 21, pad = 22, reducer = 27
        static let transposeConv = 49, depthToSpace = 94
    }

    static func padding(_ t: FlatBufferTable, _ id: Int) throws -> TFLitePadding {
        let v = Int(try t.i8(id))
        guard let p = TFLitePadding(rawValue: v) else { throw TFLiteError.invalidEnum(field: "\(t.what).padding", value: v) }
        return p
    }

    static func activation(_ t: FlatBufferTable, _ id: Int) throws -> TFLiteActivation {
        let v = Int(try t.i8(id))
        guard let a = TFLiteActivation(rawValue: v) else { throw TFLiteError.invalidEnum(field: "\(t.what).fused_activation_function", value: v) }
        return a
    }

    static func positive(_ t: FlatBufferTable, _ id: Int, _ name: String, default d: Int32 = 0) throws -> Int {
        let v = Int(try t.i32(id, default: d))
        guard v >= 1, v <= 1 << 16 else { throw TFLiteError.invalidEnum(field: "\(t.what).\(name)", value: v) }
        return v
    }

    /// Options for `builtin`, given the operator table (`builtin_options_type` field 3, `builtin_options` field 4).
    static func parse(builtin: TFLiteBuiltin, op: FlatBufferTable) throws -> TFLiteOptions {
        let tag = Int(try op.u8(3))
        func options(_ expected: Int) throws -> FlatBufferTable? {
            if tag == 0 { return nil }
            guard tag == expected else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: expected, got: tag) }
            return try op.table(4, "builtin_options")
        }
        switch builtin {
        case .conv2D:
            guard let t = try options(Tag.conv2D) else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: Tag.conv2D, got: 0) }
            return .conv2D(TFLiteConv2DOptions(
                padding: try padding(t, 0), strideW: try positive(t, 1, "stride_w"), strideH: try positive(t, 2, "stride_h"),
                dilationW: try positive(t, 4, "dilation_w_factor", default: 1), dilationH: try positive(t, 5, "dilation_h_factor", default: 1),
                activation: try activation(t, 3)))
        case .depthwiseConv2D:
            guard let t = try options(Tag.depthwiseConv2D) else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: Tag.depthwiseConv2D, got: 0) }
            return .depthwiseConv2D(TFLiteDepthwiseConv2DOptions(
                padding: try padding(t, 0), strideW: try positive(t, 1, "stride_w"), strideH: try positive(t, 2, "stride_h"),
                depthMultiplier: max(1, Int(try t.i32(3))),
                dilationW: try positive(t, 5, "dilation_w_factor", default: 1), dilationH: try positive(t, 6, "dilation_h_factor", default: 1),
                activation: try activation(t, 4)))
        case .averagePool2D, .maxPool2D:
            guard let t = try options(Tag.pool2D) else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: Tag.pool2D, got: 0) }
            return .pool2D(TFLitePool2DOptions(
                padding: try padding(t, 0), strideW: try positive(t, 1, "stride_w"), strideH: try positive(t, 2, "stride_h"),
                filterW: try positive(t, 3, "filter_width"), filterH: try positive(t, 4, "filter_height"),
                activation: try activation(t, 5)))
        case .add, .mul:
            let t = try options(builtin == .add ? Tag.add : Tag.mul)
            return .elementwise(activation: try t.map { try activation($0, 0) } ?? .none)
        case .concatenation:
            let t = try options(Tag.concatenation)
            return .concatenation(axis: Int(try t?.i32(0) ?? 0), activation: try t.map { try activation($0, 1) } ?? .none)
        case .reshape:
            let t = try options(Tag.reshape)
            return .reshape(newShape: try t?.int32s(0, "new_shape"))
        case .resizeBilinear:
            let t = try options(Tag.resizeBilinear)
            return .resizeBilinear(alignCorners: try t?.bool(2) ?? false, halfPixelCenters: try t?.bool(3) ?? false)
        case .depthToSpace:
            guard let t = try options(Tag.depthToSpace) else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: Tag.depthToSpace, got: 0) }
            return .depthToSpace(blockSize: try positive(t, 0, "block_size"))
        case .transposeConv:
            guard let t = try options(Tag.transposeConv) else { throw TFLiteError.optionsTypeMismatch(op: builtin.name, expected: Tag.transposeConv, got: 0) }
            return .transposeConv(TFLiteTransposeConvOptions(
                padding: try padding(t, 0), strideW: try positive(t, 1, "stride_w"), strideH: try positive(t, 2, "stride_h"),
                activation: try activation(t, 3)))
        case .mean:
            let t = try options(Tag.reducer)
            return .reducer(keepDims: try t?.bool(0) ?? false)
        case .pad:
            _ = try options(Tag.pad)
            return .none
        default:
            return .none
        }
    }

    /// MediaPipe's `Convolution2DTransposeBias`: custom options are a raw little-endian
    /// `TfLiteTransposeConvParams` { TfLitePadding padding (1 = SAME, 2 = VALID); int stride_width; int stride_height }.
    static func convolution2DTransposeBias(_ bytes: [UInt8]) throws -> TFLiteOptions {
        let name = "Convolution2DTransposeBias"
        guard bytes.count >= 12 else { throw TFLiteError.badCustomOptions(op: name, reason: "\(bytes.count) bytes, need 12") }
        func i32(_ o: Int) -> Int {
            Int(Int32(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24))
        }
        let padding: TFLitePadding
        switch i32(0) {
        case 1: padding = .same
        case 2: padding = .valid
        case let v: throw TFLiteError.badCustomOptions(op: name, reason: "padding \(v)")
        }
        let sw = i32(4), sh = i32(8)
        guard (1...1 << 16).contains(sw), (1...1 << 16).contains(sh) else {
            throw TFLiteError.badCustomOptions(op: name, reason: "strides \(sw)x\(sh)")
        }
        return .transposeConv(TFLiteTransposeConvOptions(padding: padding, strideW: sw, strideH: sh, activation: .none))
    }
}
