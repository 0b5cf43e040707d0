import ArcaRegistry
import ArcaRegistryHTTP
import ArgumentParser

/// Connection options shared by `push` and `pull`.
struct RegistryOptions: ParsableArguments {
    @Flag(help: "Allow plain HTTP to a non-loopback registry (loopback hosts always use HTTP).") var insecure = false
    @Option(help: "Registry user name (default: $ARCA_REGISTRY_USERNAME).") var username: String?
    @Option(help: "Registry password (default: $ARCA_REGISTRY_PASSWORD).") var password: String?
    @Option(help: "Bytes per upload chunk.") var chunkSize = 8 << 20

    func validate() throws {
        if (username == nil) != (password == nil) { throw ValidationError("give both --username and --password, or neither") }
        guard chunkSize >= 1024, chunkSize <= 1 << 30 else { throw ValidationError("--chunk-size must be in 1024...1073741824") }
    }

    var credentials: RegistryCredentials? {
        if let username, let password { return RegistryCredentials(username: username, password: password) }
        return RegistryCredentials.fromEnvironment()
    }

    /// Runs `body` with a client for `remote`, shutting the transport down afterwards.
    func withClient<T>(for remote: RemoteReference, _ body: (DistributionClient) async throws -> T) async throws -> T {
        let transport = AsyncHTTPTransport()
        let client = DistributionClient(for: remote, transport: transport, credentials: credentials, insecure: insecure, chunkSize: chunkSize)
        do {
            let result = try await body(client)
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }
}
