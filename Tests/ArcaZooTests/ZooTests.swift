import ArcaKernels
import ArcaTasks
import Foundation
import Testing
@testable import ArcaZoo

/// The catalog's settings drive the same answers as MediaPipe's solutions on the fixture photos
/// (Tests/Fixtures/vision/solutions, see PROVENANCE).
@Suite struct ZooTests {
    static let fixtures = ZooPaths.sourceRoot.appendingPathComponent("Tests/Fixtures")

    struct Face: Decodable { let score: Float; let xmin: Float; let ymin: Float; let width: Float; let height: Float; let keypoints: [String: [Float]] }

    @Test func catalogListsTheDefaultZoo() throws {
        let c = try ZooCatalog.bundled()
        #expect(Set(c.models.map(\.name)) == ["face-detection", "selfie-segmentation", "text-embedding"])
        #expect(try c.resolve("face-detection").variant.tag == "short-range")
        #expect(try c.resolve("selfie-segmentation:landscape").variant.tag == "landscape")
        #expect(throws: ZooError.self) { try c.resolve("face-detection:nope") }
        #expect(throws: ZooError.self) { try c.resolve("nothing") }
        #expect(throws: ZooError.self) { try c.resolve(":") }
    }

    @Test(arguments: ["short-range", "full-range"])
    func facesMatchMediaPipe(variant: String) throws {
        let catalog = try ZooCatalog.bundled()
        let (model, _) = try ZooLoader.faceDetector("face-detection:\(variant)", catalog: catalog, pool: .serial)
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("vision/solutions/faces.json"))) as? [String: Any]
        let all = root?["images"] as? [String: Any] ?? [:]
        #expect(all.count >= 5)
        let key = variant == "short-range" ? "short_range" : "full_range"
        for (photo, value) in all {
            guard let entry = value as? [String: Any], let list = entry[key] else { continue }
            let expected = try JSONDecoder().decode([Face].self, from: JSONSerialization.data(withJSONObject: list))
            let image = try ImageDecoder.decode(Array(Data(contentsOf: Self.fixtures.appendingPathComponent("images/\(photo)"))))
            let got = try model.detect(image)
            #expect(got.count == expected.count, "\(photo) \(variant): \(got.count) faces, MediaPipe \(expected.count)")
            for (g, e) in zip(got.sorted { $0.score > $1.score }, expected.sorted { $0.score > $1.score }) {
                #expect(abs(g.score - e.score) <= 0.05)
                for (a, b) in [(g.xmin, e.xmin), (g.ymin, e.ymin), (g.width, e.width), (g.height, e.height)] {
                    #expect(abs(a - b) <= 0.02, "\(photo) \(variant): box \(a) vs \(b)")
                }
                for (i, name) in FaceDetection.keypointNames.enumerated() {
                    let k = try #require(e.keypoints[name])
                    #expect(abs(g.keypoints[i].x - k[0]) <= 0.02 && abs(g.keypoints[i].y - k[1]) <= 0.02, "\(photo) \(name)")
                }
            }
        }
    }

    @Test(arguments: ["general", "landscape"])
    func masksMatchMediaPipe(variant: String) throws {
        let catalog = try ZooCatalog.bundled()
        let (model, _) = try ZooLoader.segmenter("selfie-segmentation:\(variant)", catalog: catalog, pool: .serial)
        let file = variant == "general" ? "selfie_segmentation" : "selfie_segmentation_landscape"
        for photo in ["astronaut.jpg", "grace_hopper.jpg", "group.jpg", "coffee.png", "camera.png"] {
            let image = try ImageDecoder.decode(Array(Data(contentsOf: Self.fixtures.appendingPathComponent("images/\(photo)"))))
            let mask = try model.segment(image)
            let ref = try ImageDecoder.decode(Array(Data(contentsOf: Self.fixtures.appendingPathComponent("vision/solutions/\((photo as NSString).deletingPathExtension).\(file).png"))))
            #expect(mask.width == image.width && mask.height == image.height)
            var sum = 0.0
            for i in 0..<(mask.width * mask.height) { sum += abs(Double(mask.values[i]) - Double(ref.pixels[i * 3]) / 255) }
            let mad = sum / Double(mask.width * mask.height)
            #expect(mad <= 0.03, "\(photo) \(variant): mean |diff| \(mad)")
        }
    }
}
