import ArcaRegistry
import ArgumentParser
import ArcaTasks
import ArcaZoo

struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Detect faces in a JPEG or PNG image.")

    @Argument(help: "Image file (JPEG or PNG).") var image: String
    @Option(help: "Detector variant: short-range, full-range, short-range-int8 or full-range-int8.") var variant: String = "short-range"
    @Option(help: "Zoo reference NAME[:VARIANT] (overrides --variant).") var model: String?
    @Option(help: "Keep faces scoring at least this (after the model's own threshold).") var minScore: Float = 0.5
    @Flag(help: "Print a JSON object (relative coordinates).") var json = false
    @Option(help: "Write the image with boxes and keypoints drawn, as PNG.") var draw: String?
    @OptionGroup var threading: ThreadsOption

    func validate() throws {
        guard minScore.isFinite, minScore >= 0, minScore <= 1 else { throw ValidationError("--min-score must be in 0...1") }
    }

    func run() throws {
        let image = try CLIFiles.image(self.image)
        let pool = threading.makePool()
        let (detector, v) = try ZooLoader.faceDetector(model ?? "face-detection:\(variant)", catalog: try ZooCatalog.bundled(), store: try ModelStore(), pool: pool)
        let report = FacesReport(detections: try detector.detect(image), width: image.width, height: image.height, variant: v.tag, minScore: minScore)
        if let draw {
            try CLIFiles.write(try PNGCodec.encode(FaceOverlay.draw(report.faces, on: image)), to: draw)
        }
        print(json ? try report.json() : report.table)
    }
}
