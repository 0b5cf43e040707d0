import Foundation
import Synchronization
import Testing
@testable import ArcaRegistry

/// Kills a publishing `arca publish-test-blob` child with SIGKILL at random points and checks the store stays consistent.
@Suite struct CrashConsistencyTests {
    /// The `arca` executable built next to the test bundle.
    static var arcaBinary: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("arca").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = TestSupport.packageRoot.appendingPathComponent(".build/debug/arca").path
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    @Test(.enabled(if: arcaBinary != nil)) func sigkillDuringPublishLeavesAConsistentStore() throws {
        let root = TestSupport.temporaryDirectory()
        var g = SplitMix(state: 99)
        var everListed = 0
        for round in 0..<12 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try #require(Self.arcaBinary))
            p.arguments = ["publish-test-blob", "--store", root, "--count", "50", "--bytes", "\(1 << 18)", "--seed", "\(round + 1)"]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(20_000 + g.next() % 400_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()

            let store = try ModelStore(root: root)
            let entries = try store.list()
            everListed = max(everListed, entries.count)
            for entry in entries {
                let m = try store.manifest(at: entry.manifest)
                #expect(try store.config(of: m).name == "crash")
                for layer in m.layers { _ = try store.layerContents(layer) }
            }
            let report = try store.verify()
            #expect(report.isClean, "round \(round): \(report.problems)")
        }
        let store = try ModelStore(root: root)
        _ = try store.gc()
        #expect(try FileIO.list(store.blobDirectory).allSatisfy { !$0.hasPrefix(".tmp-") })
        #expect(try store.verify().isClean)
        #expect(everListed > 0, "no publish finished before a kill; the test did not exercise anything")
    }
}

@Suite struct ConcurrentPublishTests {
    /// Separate `flock` descriptors exclude each other even inside one process, so threads stand in for processes.
    @Test func concurrentPublishersAreSerialized() throws {
        let root = TestSupport.temporaryDirectory()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let store = try ModelStore(root: root)
                try store.publish(name: "m\(i % 2)", variant: "v\(i)", config: ModelConfig(name: "x", variant: "y", task: .generic),
                                  layers: [.graph(TestSupport.randomBytes(20_000, seed: UInt64(i)))])
            } catch {
                failures.withLock { $0.append("\(i): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let store = try ModelStore(root: root)
        #expect(try store.list().count == 8)
        #expect(try store.verify().isClean)
    }
}
