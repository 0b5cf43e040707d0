import ArcaRegistry
import ArgumentParser
import ArcaKernels
import ArcaTensor
import ArcaZoo
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model's raw graph on .npy inputs and write its outputs as .npy.",
        discussion: "REF is a zoo reference NAME[:VARIANT] or a model file path (.tflite or a Hugging Face folder)."
    )

    @Argument(help: "Zoo reference or model path.") var ref: String
    @Option(name: .long, help: "An input as NAME=FILE.npy (repeatable).") var input: [String] = []
    @Option(help: "Directory for the outputs (<name>.npy).") var outputDir: String = "."
    @OptionGroup var threading: ThreadsOption

    func run() throws {
        var inputs: [String: Tensor] = [:]
        for spec in input {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError.invalid("--input must be NAME=FILE.npy, got '\(spec)'")
            }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            guard inputs[name] == nil else { throw CLIError.invalid("input '\(name)' given twice") }
            do { inputs[name] = try NPY.decode(try CLIFiles.read(path)) } catch let e as NPYError {
                throw CLIError.cannotRead(path: path, reason: e.description)
            }
        }
        let model = try ZooGraph(ref, catalog: try ZooCatalog.bundled(), store: try ModelStore())
        let expected = model.inputs.map(\.name)
        let missing = expected.filter { inputs[$0] == nil }, extra = inputs.keys.filter { !expected.contains($0) }.sorted()
        guard missing.isEmpty, extra.isEmpty else {
            let shapes = model.inputs.map { "\($0.name) \($0.dtype) \($0.shape)" }.joined(separator: ", ")
            throw CLIError.invalid("inputs do not match the model" + (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))")
                                   + (extra.isEmpty ? "" : "; unknown: \(extra.joined(separator: ", "))") + " (the model takes: \(shapes))")
        }
        let pool = threading.makePool()
        let outputs = try model.plan(for: inputs, pool: pool).run(inputs: inputs)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: outputDir, isDirectory: &isDir) {
            do { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) } catch {
                throw CLIError.cannotWrite(path: outputDir, reason: error.localizedDescription)
            }
        } else if !isDir.boolValue {
            throw CLIError.cannotWrite(path: outputDir, reason: "not a directory")
        }
        for name in outputs.keys.sorted() {
            guard let t = outputs[name] else { continue }
            let path = URL(fileURLWithPath: outputDir).appendingPathComponent(ZooGraph.fileName(forOutput: name) + ".npy").path
            try CLIFiles.write(NPY.encode(t), to: path)
            print("\(name)\t\(t.dtype)\t\(t.shape.dims)\t\(path)")
        }
    }
}
