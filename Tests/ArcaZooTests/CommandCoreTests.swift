import ArcaKernels
import ArcaTasks
import ArcaTensor
import Foundation
import Testing
@testable import ArcaZoo
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The logic behind the `arca` model commands, on the fixture photos and real models.
@Suite struct CommandCoreTests {
    static let images = ZooPaths.sourceRoot.appendingPathComponent("Tests/Fixtures/images")

    static func image(_ name: String) throws -> RGBImage {
        try ImageDecoder.decode(Array(Data(contentsOf: images.appendingPathComponent(name))))
    }

    static let embedder: TextEmbeddingModel? = try? ZooLoader.textEmbedder("text-embedding", catalog: ZooCatalog.bundled(), threads: 1).0

    static func embed(_ texts: [String]) throws -> [[Float]] {
        guard let m = embedder else { throw ZooError.fetchFailed("text-embedding model unavailable") }
        return try m.embed(texts).embeddings
    }

    @Test func facesReportOfTheAstronaut() throws {
        let (model, v) = try ZooLoader.faceDetector("face-detection:short-range", catalog: ZooCatalog.bundled(), pool: .serial)
        let img = try Self.image("astronaut.jpg")
        let report = FacesReport(detections: try model.detect(img), width: img.width, height: img.height, variant: v.tag, minScore: 0.5)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["width", "height", "variant", "faces"])
        #expect(root["width"] as? Int == img.width && root["variant"] as? String == "short-range")
        let faces = try #require(root["faces"] as? [[String: Any]])
        #expect(faces.count == 1)
        let face = try #require(faces.first)
        let box = try #require(face["box"] as? [String: Double])
        #expect(Set(box.keys) == ["x", "y", "width", "height"])
        #expect(box.values.allSatisfy { $0 > 0 && $0 < 1 })
        let kps = try #require(face["keypoints"] as? [[String: Any]])
        #expect(kps.compactMap { $0["name"] as? String } == FaceDetection.keypointNames)
        #expect(report.table.hasPrefix("1 face in"))
        // A higher cut removes it; drawing changes the box outline's pixels only near the face.
        #expect(FacesReport(detections: try model.detect(img), width: 1, height: 1, variant: "", minScore: 0.9999).faces.isEmpty)
        let drawn = FaceOverlay.draw(report.faces, on: img)
        let b = report.faces[0].box
        let (x, y) = (Int((b.x * Float(img.width)).rounded()) + 4, Int((b.y * Float(img.height)).rounded()) + 1)
        #expect(drawn[x, y, 1] == 255 && drawn[x, y, 0] == 0)
        #expect(drawn[img.width - 1, img.height - 1, 0] == img[img.width - 1, img.height - 1, 0])
    }

    @Test func segmentMaskOfGraceHopper() throws {
        let (model, _) = try ZooLoader.segmenter("selfie-segmentation:general", catalog: ZooCatalog.bundled(), pool: .serial)
        let img = try Self.image("grace_hopper.jpg")
        let mask = try model.segment(img)
        let fraction = mask.foregroundFraction()
        #expect(fraction > 0.2 && fraction < 0.95, "foreground \(fraction)")
        let png = try ImageDecoder.decode(mask.pngData())
        #expect(png.width == img.width && png.height == img.height)
    }

    @Test func rawRunOfTheFaceGraph() throws {
        let g = try ZooGraph("face-detection", catalog: ZooCatalog.bundled())
        #expect(g.task == .faceDetection && g.variant == "short-range")
        let inputs = try g.randomInputs()
        let x = try #require(inputs.values.first).floats()
        #expect(x.min()! >= -1 && x.max()! <= 1 && x.min()! < -0.5 && x.max()! > 0.5)
        let out = try g.plan(for: inputs, pool: .serial).run(inputs: inputs)
        #expect(Set(out.values.map(\.shape.dims)) == [[1, 896, 16], [1, 896, 1]])
        #expect(ZooGraph.fileName(forOutput: "a/b:c") == "a_b_c")
        #expect(ZooGraph.fileName(forOutput: "..") == "_..")
        #expect(throws: ZooError.self) { try ZooGraph("nothing-here", catalog: ZooCatalog.bundled()) }
    }

    @Test func benchInputsFollowTheModelRange() throws {
        let s = try ZooGraph("selfie-segmentation", catalog: ZooCatalog.bundled()).randomInputs()
        let x = try #require(s.values.first).floats()
        #expect(x.min()! >= 0 && x.max()! <= 1)
        let t = try ZooGraph("text-embedding", catalog: ZooCatalog.bundled()).randomInputs(seq: 16)
        let ids = try #require(t["input_ids"]).ints()
        #expect(ids.count == 16 && ids.first == 101 && ids.last == 102)
    }

    @Test func embeddingsAndTokens() throws {
        let m = try #require(Self.embedder)
        let (e, counts) = try m.embed(["Hello, world!", "unaffable"])
        #expect(e.count == 2 && e.allSatisfy { $0.count == 384 })
        #expect(abs(e[0].reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
        let ids = m.tokenizer.encode("Hello, world!")
        #expect(ids.first == m.tokenizer.clsID && ids.last == m.tokenizer.sepID && ids.count == counts[0])
    }

    @Test func searchClassifyKeywordsOnRealEmbeddings() throws {
        let corpus = ["The stock market fell sharply today.", "A recipe for chocolate chip cookies.",
                      "The striker scored twice in the football final.", "New telescope images of distant galaxies."]
        let hits = try TextTasks.search(query: "who won the soccer match", corpus: corpus, top: 2, embed: Self.embed)
        #expect(hits.map(\.index) .first == 2 && hits.count == 2 && hits[0].score > hits[1].score)
        let labels = try TextTasks.classify("The team won the championship after a penalty shootout.", labels: ["politics", "sports", "science"], embed: Self.embed)
        #expect(labels.first?.text == "sports")
        let close = try TextTasks.similarity("A man is playing guitar.", "Someone plays an instrument.", embed: Self.embed)
        let far = try TextTasks.similarity("A man is playing guitar.", "Interest rates rose again.", embed: Self.embed)
        #expect(close > far)
        let text = "The football club won the league title after a dramatic final match. The striker scored twice and the goalkeeper saved a penalty."
        let kw = try Keywords.extract(from: text, top: 5, embed: Self.embed)
        #expect(kw.count == 5)
        let sports = ["football", "league", "striker", "goalkeeper", "penalty", "club", "match"]
        #expect(kw.contains { k in sports.contains { k.keyword.contains($0) } }, "\(kw)")
        #expect(kw.allSatisfy { !KeywordCandidates.stopWords.contains($0.keyword) })
        #expect(try Keywords.extract(from: "the and of", top: 3, embed: Self.embed).isEmpty)
        #expect(throws: TextTaskError.self) { try TextTasks.search(query: "q", corpus: [], top: 1, embed: Self.embed) }
    }

    @Test func wordCloudIsValidSVGWithoutOverlaps() throws {
        let words: [(String, Float)] = [("rock & roll", 0.9), ("<script>", 0.5), ("\"quoted\"", 0.4)] + (0..<20).map { ("word\($0)", Float($0) / 40) }
        let placed = WordCloud.layout(words: words, width: 800, height: 500)
        #expect(placed.count >= 15)
        for (i, a) in placed.enumerated() {
            #expect(a.x >= 0 && a.y >= 0 && a.x + a.width <= 800 && a.y + a.height <= 500)
            for b in placed[(i + 1)...] {
                #expect(!(a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height))
            }
        }
        #expect(placed.first?.word == "rock & roll" && placed.first!.fontSize > placed.last!.fontSize)
        let svg = WordCloud.svg(words: words)
        #expect(svg.contains("rock &amp; roll") && svg.contains("&lt;script&gt;") && !svg.contains("<script>"))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
    }
}
