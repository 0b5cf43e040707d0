import ArcaIR
import ArcaRuntime
import ArcaKernels
import ArcaTensor
import Foundation
import Testing
@testable import ArcaImport

/// The four MediaPipe models imported and run end to end, compared with LiteRT's
/// raw outputs saved by Tools/gen-vision-fixtures (see Tests/Fixtures/vision/PROVENANCE).
@Suite struct TFLiteImporterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var models: URL {
        if let env = ProcessInfo.processInfo.environment["ARCA_MODELS"] { return URL(fileURLWithPath: env) }
        return root.appendingPathComponent(".models")
    }

    struct Case: Sendable, CustomStringConvertible {
        let model: String, input: String, outputs: [String], faceRange: Bool
        var description: String { model }
    }

    static let cases = [
        Case(model: "face_detection_short_range", input: "input", outputs: ["regressors", "classificators"], faceRange: true),
        Case(model: "face_detection_full_range_sparse", input: "input_1", outputs: ["Identity", "Identity_1"], faceRange: true),
        Case(model: "selfie_segmentation", input: "input_1", outputs: ["activation_10"], faceRange: false),
        Case(model: "selfie_segmentation_landscape", input: "input_1", outputs: ["segment_back"], faceRange: false),
    ]

    @Test(arguments: cases)
    func matchesLiteRTWithin1e3(_ c: Case) throws {
        let graph = try TFLiteImporter.importGraph(contentsOf: Self.models.appendingPathComponent("mediapipe/\(c.model).tflite"))
        let plan = try Plan(graph: graph, pool: ThreadPool(threadCount: 1))
        let dir = Self.root.appendingPathComponent("Tests/Fixtures/vision/\(c.model)")
        for name in ["random", "photo"] {
            let u8 = try NPY.read(dir.appendingPathComponent("\(name).input_u8.npy"))
            let x = u8.floats().map { c.faceRange ? Float($0) / Float(127.5) - 1 : Float($0) / Float(255) }
            let input = try Tensor(shape: u8.shape, scalars: x)
            let out = try plan.run(inputs: [c.input: input])
            for o in c.outputs {
                let expected = try NPY.read(dir.appendingPathComponent("\(name).\(o).npy")).floats()
                let got = try #require(out[o]).floats()
                #expect(got.count == expected.count)
                let maxDiff = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(maxDiff <= 1e-3, "\(c.model) \(name) \(o): max |diff| \(maxDiff)")
            }
        }
    }
}
