import Foundation

/// Errors resolving models through the zoo catalog.
public enum ZooError: Error, Equatable, CustomStringConvertible {
    case catalogUnreadable(String)
    case unknownModel(String)
    case unknownVariant(model: String, variant: String, known: [String])
    case missingSource(path: String, hint: String)
    case fetchFailed(String)
    case wrongTask(ref: String, expected: String, got: String)
    case badReference(String)

    public var description: String {
        switch self {
        case .catalogUnreadable(let s): "zoo catalog: \(s)"
        case .unknownModel(let m): "unknown model '\(m)' (see `arca list` or Registry/)"
        case .unknownVariant(let m, let v, let k): "model '\(m)' has no variant '\(v)' (variants: \(k.joined(separator: ", ")))"
        case .missingSource(let p, let h): "model file \(p) is missing: \(h)"
        case .fetchFailed(let s): "fetching pinned model files failed: \(s)"
        case .wrongTask(let r, let e, let g): "'\(r)' is a \(g) model, not \(e)"
        case .badReference(let r): "invalid model reference '\(r)' (expected NAME, NAME:VARIANT or a file path)"
        }
    }
}

/// What a model does; decides its pre/post-processing.
public enum ZooTask: String, Sendable, Codable, CaseIterable {
    case faceDetection = "face-detection"
    case selfieSegmentation = "selfie-segmentation"
    case textEmbedding = "text-embedding"
}

/// One pinned source file of a variant.
public struct ZooFile: Sendable, Codable, Hashable {
    /// Path under the models directory.
    public var path: String
    public var package: String
    public var member: String
    public var sha256: String
    public var bytes: Int
}

/// A catalog variant: its sources and settings (`Registry/<model>/model.json`).
public struct ZooVariant: Sendable, Codable {
    public var tag: String
    public var `default`: Bool?
    public var format: String
    public var files: [ZooFile]
    public var facts: [String: ZooValue]?
    public var preprocessing: [String: ZooValue]?
    public var postprocessing: [String: ZooValue]?
    /// How the published graph is derived from the float source: nil (as imported),
    /// "dynamic-int8" (``Graph/quantizedDynamicInt8()``) or "static-int8"
    /// (``Graph/quantizedStaticInt8(calibration:threads:)`` on `calibration`'s images).
    public var quantization: String?
    /// For "static-int8": a built-in calibration set (``ZooCalibration/names``) or a folder of
    /// JPEG/PNG images relative to the catalog directory; each image is preprocessed as the task
    /// does and run through the float graph.
    public var calibration: String?
    /// For "static-int8": the choice a search made before (``ZooStaticRecipe``), applied and
    /// checked against the budget instead of searching again; nil searches.
    public var staticInt8: ZooStaticRecipe?

    public var isDefault: Bool { self.default ?? false }
}

public struct ZooModel: Sendable, Codable {
    public var name: String
    public var task: ZooTask
    public var description: String
    public var licence: String
    public var homepage: String?
    public var variants: [ZooVariant]

    public var defaultVariant: ZooVariant? { variants.first(where: \.isDefault) ?? variants.first }
}

/// A JSON value in catalog settings.
public enum ZooValue: Sendable, Codable, Hashable {
    case number(Double), string(String), bool(Bool), array([ZooValue]), object([String: ZooValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ZooValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: ZooValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// `value` as JSON.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(ZooValue.self, from: JSONEncoder().encode(value))
    }

    public var double: Double? { if case .number(let d) = self { d } else { nil } }
    public var int: Int? { double.flatMap { Int(exactly: $0) } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var array: [ZooValue]? { if case .array(let a) = self { a } else { nil } }
    public var object: [String: ZooValue]? { if case .object(let o) = self { o } else { nil } }
}

/// The zoo catalog: every model folder under `Registry/`.
public struct ZooCatalog: Sendable {
    public var models: [ZooModel]

    /// Reads `<dir>/*/model.json`.
    public init(directory: URL) throws {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: directory.path) else {
            throw ZooError.catalogUnreadable("cannot list \(directory.path)")
        }
        var models: [ZooModel] = []
        for e in entries.sorted() {
            let file = directory.appendingPathComponent(e).appendingPathComponent("model.json")
            guard fm.fileExists(atPath: file.path) else { continue }
            do {
                models.append(try JSONDecoder().decode(ZooModel.self, from: Data(contentsOf: file)))
            } catch {
                throw ZooError.catalogUnreadable("\(file.path): \(error)")
            }
        }
        self.models = models
    }

    /// The catalog shipped with this source tree (`$ARCA_CATALOG` overrides).
    public static func bundled() throws -> ZooCatalog {
        try ZooCatalog(directory: ZooPaths.catalog)
    }

    public func model(_ name: String) throws -> ZooModel {
        guard let m = models.first(where: { $0.name == name }) else { throw ZooError.unknownModel(name) }
        return m
    }

    /// `name` (default variant) or `name:variant`.
    public func resolve(_ ref: String) throws -> (model: ZooModel, variant: ZooVariant) {
        let parts = ref.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { throw ZooError.badReference(ref) }
        let m = try model(name)
        if parts.count == 1 {
            guard let v = m.defaultVariant else { throw ZooError.unknownVariant(model: name, variant: "", known: []) }
            return (m, v)
        }
        guard let v = m.variants.first(where: { $0.tag == parts[1] }) else {
            throw ZooError.unknownVariant(model: name, variant: parts[1], known: m.variants.map(\.tag))
        }
        return (m, v)
    }
}
