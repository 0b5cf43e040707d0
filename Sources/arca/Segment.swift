import ArcaRegistry
import ArgumentParser
import ArcaTasks
import ArcaZoo

struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Segment the person (selfie segmentation) in a JPEG or PNG image.")

    @Argument(help: "Image file (JPEG or PNG).") var image: String
    @Option(help: "Segmenter variant: general, landscape, general-int8 or landscape-int8.") var variant: String = "general"
    @Option(help: "Zoo reference NAME[:VARIANT] (overrides --variant).") var model: String?
    @Option(help: "Write the mask as an 8-bit gray PNG at the image's size.") var mask: String?
    @Flag(help: "Print a JSON object.") var json = false
    @OptionGroup var threading: ThreadsOption

    struct Report: Encodable {
        var width: Int, height: Int, variant: String
        var foreground_fraction: Double
    }

    func run() throws {
        let image = try CLIFiles.image(self.image)
        let (segmenter, v) = try ZooLoader.segmenter(model ?? "selfie-segmentation:\(variant)", catalog: try ZooCatalog.bundled(), store: try ModelStore(), pool: threading.makePool())
        let m = try segmenter.segment(image)
        if let mask { try CLIFiles.write(try m.pngData(), to: mask) }
        let fraction = m.foregroundFraction()
        if json {
            print(try CLIJSON.line(Report(width: m.width, height: m.height, variant: v.tag, foreground_fraction: fraction)))
        } else {
            print("mask \(m.width)x\(m.height) (\(v.tag)): \(String(format: "%.1f", fraction * 100))% foreground" + (mask.map { ", written to \($0)" } ?? ""))
        }
    }
}
