import ArcaKernels
import ArcaRegistry
import ArcaTasks
import Foundation
import Testing
@testable import ArcaZoo

/// The static int8 vision variants against their float twins on the fixture photos (none of
/// which calibrates them: the calibration set is `lfw-composites`): the same faces with box
/// coordinates within 0.02, and masks within 0.03 mean absolute difference.
@Suite(.serialized) struct StaticInt8VisionTests {
    static let photos = ["astronaut.jpg", "grace_hopper.jpg", "camera.png", "coffee.png", "group.jpg"]

    static func images() throws -> [RGBImage] {
        try photos.map { try ImageDecoder.decode(Array(Data(contentsOf: ZooPaths.sourceRoot.appendingPathComponent("Tests/Fixtures/images/\($0)")))) }
    }

    @Test(arguments: ["short-range", "full-range"])
    func facesMatchTheFloatModel(variant: String) throws {
        let catalog = try ZooCatalog.bundled()
        let (float, _) = try ZooLoader.faceDetector("face-detection:\(variant)", catalog: catalog, pool: .shared)
        let (int8, v) = try ZooLoader.faceDetector("face-detection:\(variant)-int8", catalog: catalog, pool: .shared)
        #expect(v.quantization == "static-int8")
        #expect(int8.plan.graph.nodes.contains { if case .quantizedConv2d = $0.op { true } else { false } }, "no quantized convolution")
        var strict = VisionAgreement()
        for (photo, image) in zip(Self.photos, try Self.images()) {
            let a = try float.detect(image), b = try int8.detect(image)
            #expect(a.count == b.count, "\(variant) \(photo): \(a.count) float faces, \(b.count) int8")
            let r = try VisionAgreement.faces(float, int8, on: [image], margin: 0)
            #expect(r.unmatchedFaces == 0, "\(variant) \(photo): \(r)")
            #expect(r.worstBox <= 0.02, "\(variant) \(photo): \(r)")
            strict.worstBox = max(strict.worstBox, r.worstBox)
            strict.worstScore = max(strict.worstScore, r.worstScore)
        }
        let share = ZooStaticQuantization.int8Share(int8.plan.graph)
        #expect(ZooStaticQuantization.int8Share(float.plan.graph) == 0 && share > 0 && share <= 1)
        print("face-detection:\(variant)-int8 on the fixture photos: worst box \(strict.worstBox), worst score \(strict.worstScore); " +
              "\(Int((100 * share).rounded()))% of the convolution multiply-adds on uint8")
    }

    @Test(arguments: ["general", "landscape"])
    func masksMatchTheFloatModel(variant: String) throws {
        let catalog = try ZooCatalog.bundled()
        let (float, _) = try ZooLoader.segmenter("selfie-segmentation:\(variant)", catalog: catalog, pool: .shared)
        let (int8, _) = try ZooLoader.segmenter("selfie-segmentation:\(variant)-int8", catalog: catalog, pool: .shared)
        #expect(int8.plan.graph.nodes.contains { if case .quantizedConv2d = $0.op { true } else { false } }, "no quantized convolution")
        var worst = 0.0
        for (photo, image) in zip(Self.photos, try Self.images()) {
            let r = try VisionAgreement.masks(float, int8, on: [image])
            #expect(r.worstMask <= 0.03, "\(variant) \(photo): \(r)")
            worst = max(worst, r.worstMask)
        }
        let share = ZooStaticQuantization.int8Share(int8.plan.graph)
        #expect(ZooStaticQuantization.int8Share(float.plan.graph) == 0 && share > 0 && share <= 1)
        print("selfie-segmentation:\(variant)-int8 on the fixture photos: worst mask MAD \(worst); " +
              "\(Int((100 * share).rounded()))% of the convolution multiply-adds on uint8")
    }

    /// Published into a store, an int8 variant's config carries int8 dtype, its measured
    /// accuracy and latency, and the static quantization choice with its calibration agreement.
    @Test func publishedConfigCarriesTheChoice() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("arca-int8-facts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try ModelStore(root: root.path)
        let catalog = try ZooCatalog.bundled()
        let (model, variant) = try catalog.resolve("face-detection:short-range-int8")
        try ZooStore.publish(model, variant, store: store)
        let loaded = try ZooStore.load("face-detection:short-range-int8", store: store)
        let facts = try #require(loaded.config.facts)
        #expect(facts.dtype == "int8")
        #expect(facts.expectedAccuracy > 0.97 && facts.expectedAccuracy <= 1 && !facts.accuracyMetric.isEmpty)
        #expect(facts.latency.contains { $0.threads == 1 && $0.medianMs > 0 })
        let entry = try #require(ZooStore.catalogEntry(loaded.config))
        #expect(entry.facts?["staticQuantization"]?.string?.contains("convolutions") == true)
        #expect(entry.facts?["calibrationAgreement"]?.string?.contains("lfw-composites") == true)
        #expect(loaded.graph.nodes.contains { if case .quantizedConv2d = $0.op { true } else { false } })
    }
}
