import ArcaRegistry
import ArgumentParser

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-hash every blob and check every reference; exit 1 on any problem.")

    @OptionGroup var options: StoreOptions

    func run() throws {
        let report = try options.open().verify()
        for p in report.problems { print(p.description) }
        print("checked \(report.blobsChecked) blobs: \(report.isClean ? "ok" : "\(report.problems.count) problems")")
        if !report.isClean { throw ExitCode.failure }
    }
}
