import ArcaRegistry
import ArgumentParser
import ArcaKernels
import ArcaTasks
import ArcaZoo
import Foundation

/// Errors of the model commands, printed as `Error: <description>` with exit status 1.
enum CLIError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case invalid(String)

    var description: String {
        switch self {
        case .cannotRead(let p, let r): "cannot read \(p): \(r)"
        case .cannotWrite(let p, let r): "cannot write \(p): \(r)"
        case .invalid(let s): s
        }
    }
}

enum CLIFiles {
    /// Largest input file read whole (1 GiB).
    static let maxBytes = 1 << 30

    static func read(_ path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw CLIError.cannotRead(path: path, reason: "no such file") }
        guard !isDir.boolValue else { throw CLIError.cannotRead(path: path, reason: "it is a directory") }
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard data.count <= maxBytes else { throw CLIError.cannotRead(path: path, reason: "larger than \(maxBytes) bytes") }
            return Array(data)
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError.cannotRead(path: path, reason: error.localizedDescription)
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    static func image(_ path: String) throws -> RGBImage {
        do { return try ImageDecoder.decode(try read(path)) } catch let e as ImageError {
            throw CLIError.cannotRead(path: path, reason: e.description)
        }
    }

    /// Non-empty lines of a UTF-8 text file (trailing `\r` removed).
    static func lines(_ path: String) throws -> [String] {
        let text: String
        do { text = try TextInput.decodeUTF8(try read(path)) } catch let e as TextInputError {
            throw CLIError.cannotRead(path: path, reason: e.description)
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The whole UTF-8 text file.
    static func text(_ path: String) throws -> String {
        do { return try TextInput.decodeUTF8(try read(path)) } catch let e as TextInputError {
            throw CLIError.cannotRead(path: path, reason: e.description)
        }
    }
}

/// `--threads` shared by the model commands.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads for the model's kernels.") var threads: Int = 1

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be in 1...256") }
    }

    func makePool() -> ThreadPool { threads <= 1 ? .serial : ThreadPool(threadCount: threads) }
}

/// The sentence embedder for the text commands.
struct EmbedderOptions: ParsableArguments {
    @Option(help: "Text-embedding variant (e.g. minilm-l6).") var variant: String?
    @Option(help: "Zoo reference NAME[:VARIANT] of the embedder (overrides --variant).") var model: String?
    @OptionGroup var threading: ThreadsOption

    var ref: String { model ?? (variant.map { "text-embedding:\($0)" } ?? "text-embedding") }

    func load() throws -> (TextEmbeddingModel, ZooVariant) {
        try ZooLoader.textEmbedder(ref, catalog: try ZooCatalog.bundled(), store: try ModelStore(), threads: threading.threads)
    }
}

/// Texts from arguments and/or `--file` (one per line).
struct TextSource: ParsableArguments {
    @Argument(help: "Texts.") var texts: [String] = []
    @Option(help: "A UTF-8 file with one text per line.") var file: String?

    func load() throws -> [String] {
        var all = texts
        if let file { all += try CLIFiles.lines(file) }
        guard !all.isEmpty else { throw CLIError.invalid("no texts: give TEXT arguments or --file FILE") }
        return all
    }
}

enum CLIJSON {
    /// One-line JSON of `value`; non-finite floats become strings.
    static func line(_ value: some Encodable) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}

/// Median and 90th percentile of timings, in milliseconds.
func percentiles(_ seconds: [Double]) -> (median: Double, p90: Double) {
    let s = seconds.sorted()
    guard !s.isEmpty else { return (0, 0) }
    return (s[s.count / 2] * 1e3, s[min(s.count - 1, Int((Double(s.count) * 0.9).rounded(.up)) - 1)] * 1e3)
}
