import ArcaIR
import ArcaRegistry
import ArcaTasks
import ArcaZoo
import ArgumentParser
import Foundation

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a model (.tflite file or Hugging Face BERT folder) and publish it into the store as NAME:VARIANT.")

    @Argument(help: "A .tflite file or a Hugging Face model folder.") var source: String
    @Option(help: "Model name (the repository).") var name: String
    @Option(help: "Variant (the tag).") var variant: String
    @Option(help: "Task: face-detection, selfie-segmentation or text-embedding; task settings come from the zoo catalog entry of the same name, if any.")
    var task: String?
    @Option(help: "Quantization: none, or int8: dynamic (per-row activations, per-channel weights) for Hugging Face BERT folders, static (uint8 activations calibrated on --calibration images, per-channel int8 weights) for .tflite convolution models.")
    var quantize = "none"
    @Option(help: "For int8 on a .tflite: a folder of JPEG/PNG images, or a built-in set (lfw-composites), preprocessed as --task does, that fix the activation ranges and check the quantized model against the float one.")
    var calibration: String?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard ["none", "int8"].contains(quantize) else { throw ValidationError("--quantize must be none or int8") }
        if let task, ZooTask(rawValue: task) == nil {
            throw ValidationError("--task must be one of \(ZooTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if calibration != nil && quantize != "int8" { throw ValidationError("--calibration goes with --quantize int8") }
    }

    func run() throws {
        let s = try store.open()
        let catalog = try? ZooCatalog.bundled()
        let zooTask = task.flatMap(ZooTask.init(rawValue:))
        var isFolder: ObjCBool = false
        let sourceIsFolder = FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) && isFolder.boolValue
        let imported = try ZooLoader.importGraph(path: source)
        let scheme = quantize == "none" ? nil : sourceIsFolder ? "dynamic-int8" : "static-int8"
        let graph: Graph
        switch scheme {
        case "static-int8":
            guard let calibration else { throw ValidationError("--quantize int8 on a .tflite model needs --calibration FOLDER (images that fix activation ranges)") }
            guard let zooTask, zooTask != .textEmbedding else { throw ValidationError("static int8 needs --task face-detection or selfie-segmentation (to preprocess the calibration images)") }
            let settings = catalog?.models.first { $0.task == zooTask }
            guard var v = settings?.variants.first(where: { $0.tag == variant }) ?? settings?.defaultVariant else {
                throw ValidationError("no catalog settings for \(zooTask.rawValue)")
            }
            v.staticInt8 = nil  // publish searches; a catalog variant's recorded recipe is for `zoo install`
            let images = ZooCalibration.names.contains(calibration) ? try ZooCalibration.images(calibration)
                : try ZooLoader.calibrationImages(in: URL(fileURLWithPath: calibration)).map { try ImageDecoder.decode(Array(try Data(contentsOf: $0))) }
            let choice = try ZooStaticQuantization.quantize(imported, images: images, task: zooTask, variant: v)
            for (options, agreement) in choice.tried.dropLast() { print("tried: \(options): \(agreement)") }
            print("static int8: \(choice.options); \(choice.report); on the calibration images: \(choice.agreement)")
            if let recipe = choice.recipe {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print("recipe (a catalog variant's \"staticInt8\"): \(String(decoding: try encoder.encode(recipe), as: UTF8.self))")
            }
            graph = choice.graph
        case "dynamic-int8":
            graph = try ZooLoader.quantize(imported, "dynamic-int8")
        default:
            graph = imported
        }
        // Settings for the task: the catalog variant with the same name and tag, else the task's default variant.
        var entry: ZooVariant? = zooTask.flatMap { t in
            let m = catalog?.models.first { $0.task == t }
            return m?.variants.first { $0.tag == variant } ?? m?.defaultVariant
        }
        // Measured accuracy and latency belong to the catalog's own variant, not to this source.
        for key in ["expectedAccuracy", "accuracyMetric", "latency"] { entry?.facts?[key] = nil }
        entry?.quantization = scheme
        entry?.calibration = nil
        entry?.staticInt8 = nil
        var extra: [LayerInput] = []
        if sourceIsFolder {
            let vocab = URL(fileURLWithPath: source).appendingPathComponent("vocab.txt")
            if let data = try? Data(contentsOf: vocab) { extra.append(LayerInput(mediaType: ZooStore.vocabularyMediaType, bytes: Array(data))) }
        }
        let t: ModelConfig.Task = switch zooTask {
        case .faceDetection: .faceDetection
        case .selfieSegmentation: .selfieSegmentation
        case .textEmbedding: .textEmbedding
        case nil: .generic
        }
        var src = ModelConfig.Source()
        src.uri = URL(fileURLWithPath: source).standardizedFileURL.absoluteString
        let bar = ProgressBar()
        let d = try ZooStore.publish(graph: graph, name: name, variant: variant, task: t, catalogEntry: entry, licence: "",
                                     source: src, extraLayers: extra, store: s) { p in
            bar.update(label: "\(name):\(variant)", done: p.completedBytes, total: p.totalBytes)
        }
        bar.finish()
        print("published \(name):\(variant) \(d.digest)")
    }
}
