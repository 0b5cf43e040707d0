import ArcaRegistry
import ArcaRegistryHTTP
import Foundation

/// Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 and a free port, storing into a temp dir.
///
/// The binary is required: CI installs it through `Tools/setup`. A missing binary fails the test.
final class RegistryServer {
    static let binary = "/usr/bin/docker-registry"
    let process: Process
    let root: String
    let port: Int

    var address: String { "127.0.0.1:\(port)" }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts a registry; with `user`, it requires that user (htpasswd, bcrypt from `htpasswd -B`).
    static func start(user: RegistryCredentials? = nil) async throws -> RegistryServer {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Missing(description: "\(binary) is missing: install Debian's docker-registry package (Tools/setup does)")
        }
        let root = TestSupport.temporaryDirectory()
        var auth = ""
        if let user {
            let htpasswd = "/usr/bin/htpasswd"
            guard FileManager.default.isExecutableFile(atPath: htpasswd) else {
                throw Missing(description: "\(htpasswd) is missing: install Debian's apache2-utils package (Tools/setup does)")
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: htpasswd)
            p.arguments = ["-B", "-b", "-c", root + "/htpasswd", user.username, user.password]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw Missing(description: "htpasswd failed with status \(p.terminationStatus)") }
            auth = "auth:\n  htpasswd:\n    realm: arca-test\n    path: \(root)/htpasswd\n"
        }
        var lastError = "did not start"
        for _ in 0..<3 {
            let port = try freePort()
            let config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(root)/data
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:\(port)
              secret: arca-test-secret
            \(auth)
            """
            try config.write(toFile: root + "/config.yml", atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["serve", root + "/config.yml"]
            _ = FileManager.default.createFile(atPath: root + "/registry.log", contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/registry.log"))
            p.standardOutput = log
            p.standardError = log
            try p.run()
            let server = RegistryServer(process: p, root: root, port: port)
            if await server.waitUntilReady() { return server }
            server.stop()
            lastError = (try? String(contentsOfFile: root + "/registry.log", encoding: .utf8)) ?? "no log"
        }
        throw Missing(description: "docker-registry did not answer GET /v2/: \(lastError.suffix(2000))")
    }

    private init(process: Process, root: String, port: Int) {
        self.process = process; self.root = root; self.port = port
    }

    /// Polls `GET /v2/` (200 or 401 means up) for up to 20 s.
    private func waitUntilReady() async -> Bool {
        let transport = AsyncHTTPTransport(connectTimeout: 1, readTimeout: 2, requestTimeout: 3)
        var ready = false
        for _ in 0..<200 where process.isRunning {
            let request = RegistryHTTPRequest(method: "GET", url: "http://\(address)/v2/")
            if let r = try? await transport.send(request, maxBodyBytes: 1 << 16, body: { _ in }), r.status == 200 || r.status == 401 {
                ready = true
                break
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        await transport.shutdown()
        return ready
    }

    /// The file that holds a blob's bytes in the registry's filesystem storage.
    func blobDataPath(_ d: Digest) -> String {
        "\(root)/data/docker/registry/v2/blobs/sha256/\(d.hex.prefix(2))/\(d.hex)/data"
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Missing(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Missing(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
