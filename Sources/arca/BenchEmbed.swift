import ArcaTensor
import ArgumentParser
import ArcaTasks

struct BenchEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Time sentence embeddings of random token ids ([CLS] … [SEP], full mask)."
    )

    @Option(help: "Sentences per call.") var batch: Int = 8
    @Option(help: "Tokens per sentence, [CLS] and [SEP] included.") var seq: Int = 128
    @Option(help: "Timed runs; median and p90 are reported.") var runs: Int = 10
    @Flag(help: "Print a JSON object.") var json = false
    @OptionGroup var embedder: EmbedderOptions

    func validate() throws {
        guard batch >= 1, batch <= 1024 else { throw ValidationError("--batch must be in 1...1024") }
        guard seq >= 2 else { throw ValidationError("--seq must be at least 2 ([CLS] and [SEP])") }
        guard runs >= 1, runs <= 100_000 else { throw ValidationError("--runs must be in 1...100000") }
    }

    func run() throws {
        let (model, v) = try embedder.load()
        let tok = model.tokenizer
        guard seq <= tok.maxLength else { throw CLIError.invalid("--seq \(seq) exceeds the model's maximum of \(tok.maxLength) tokens") }
        let special: Set<Int32> = [tok.clsID, tok.sepID, tok.unkID, tok.padID]
        let vocab = Int32(tok.vocabulary.count)
        var rng = SplitMix64(seed: 7)
        func word() -> Int32 {
            while true {
                let id = Int32(truncatingIfNeeded: rng.next() % UInt64(vocab))
                if !special.contains(id) { return id }
            }
        }
        let ids: [[Int32]] = (0..<batch).map { _ in [tok.clsID] + (0..<(seq - 2)).map { _ in word() } + [tok.sepID] }
        // `embed` runs at most maxBatch sentences and maxBatchTokens padded tokens per plan run.
        var failure: Error?
        let once = { do { _ = try model.embed(tokenIDs: ids) } catch { failure = error } }
        for _ in 0..<max(1, runs / 10) { once() }
        if let failure { throw failure }
        let times = (0..<runs).map { _ in Stopwatch.time(once) }
        let (median, p90) = percentiles(times)
        let rate = median > 0 ? Double(batch) / (median / 1e3) : 0
        let threads = embedder.threading.threads
        if json {
            print(JSONLine([("model", .string("text-embedding")), ("variant", .string(v.tag)), ("batch", .int(batch)), ("seq", .int(seq)),
                            ("threads", .int(threads)), ("runs", .int(runs)), ("median_ms", .double(median)), ("p90_ms", .double(p90)),
                            ("sentences_per_second", .double(rate))]).text)
        } else {
            print(String(format: "embed %@ batch=%d seq=%d threads=%d: median %.3f ms, p90 %.3f ms, %.1f sentences/s",
                         v.tag, batch, seq, threads, median, p90, rate))
        }
    }
}
