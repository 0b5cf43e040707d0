import ArcaIR
import ArcaRuntime

/// A static int8 choice written down: the options ``ZooStaticQuantization`` settled on, with
/// the layers kept float named by their output values (node indices would not survive a change
/// of the import or optimization passes; a name that no longer resolves is an error, and the
/// search runs again).
///
/// The search that finds a choice (candidates, then per-layer sensitivity probes) quantizes
/// and compares the model dozens of times: minutes for BlazeFace full range and selfie
/// general. The zoo catalog records the result as the variant's `staticInt8` entry, so that
/// `arca zoo install` applies it once and checks it against the same budget on the same
/// calibration images; `arca publish --quantize int8` prints the recipe its search found.
public struct ZooStaticRecipe: Sendable, Codable, Hashable {
    public var ranges: String
    public var minimumPixels: Int
    public var floatHeads: Bool
    public var biasCorrection: Bool
    /// Output value names of the layers the sensitivity search kept float.
    public var floatLayers: [String]

    public init(ranges: String, minimumPixels: Int, floatHeads: Bool, biasCorrection: Bool, floatLayers: [String]) {
        self.ranges = ranges
        self.minimumPixels = minimumPixels
        self.floatHeads = floatHeads
        self.biasCorrection = biasCorrection
        self.floatLayers = floatLayers
    }

    /// The recipe of `options`, whose node indices refer to `graph` (the calibrated graph);
    /// nil when a float layer's output name is not unique in `graph` (it could not be found again).
    public init?(_ options: StaticQuantizationOptions, graph: Graph) {
        guard options.onlyNodes == nil else { return nil }
        var names: [String] = []
        for i in options.floatNodes.sorted() {
            guard i < graph.nodes.count, let out = graph.nodes[i].outputs.first else { return nil }
            let name = graph.values[out].name
            guard !name.isEmpty, graph.nodes.filter({ $0.outputs.first.map { graph.values[$0].name } == name }).count == 1 else { return nil }
            names.append(name)
        }
        self.init(ranges: options.ranges.rawValue, minimumPixels: options.minimumPixels, floatHeads: options.floatHeads,
                  biasCorrection: options.biasCorrection, floatLayers: names)
    }

    /// The options this recipe names, with node indices resolved in `graph` (the calibrated graph).
    public func options(in graph: Graph) throws -> StaticQuantizationOptions {
        guard let ranges = StaticQuantizationOptions.Ranges(rawValue: ranges) else {
            throw ZooError.catalogUnreadable("staticInt8: unknown ranges '\(self.ranges)' (expected min-max or least-squares)")
        }
        guard minimumPixels >= 0 else { throw ZooError.catalogUnreadable("staticInt8: minimumPixels must not be negative") }
        var index: [String: [Int]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            if let out = node.outputs.first { index[graph.values[out].name, default: []].append(i) }
        }
        let nodes = try floatLayers.map { name -> Int in
            guard let found = index[name], let i = found.first else {
                throw ZooError.catalogUnreadable("staticInt8: no layer of the calibrated graph outputs '\(name)'")
            }
            guard found.count == 1 else { throw ZooError.catalogUnreadable("staticInt8: \(found.count) layers output '\(name)'") }
            return i
        }
        return StaticQuantizationOptions(minimumPixels: minimumPixels, ranges: ranges, floatHeads: floatHeads,
                                         floatNodes: Set(nodes), biasCorrection: biasCorrection)
    }
}
