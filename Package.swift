// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// The CPU the kernels are compiled for: the build machine unless `ARCA_MARCH` names another
/// (e.g. `ARCA_MARCH=znver3 swift build --scratch-path .build-avx2` builds the AVX2 paths on an
/// AVX-512 machine, to test them).
let march = ProcessInfo.processInfo.environment["ARCA_MARCH"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"

/// Compute modules are compiled optimized and for the host CPU in every
/// configuration: Swift `SIMD` code becomes scalar libm calls without a
/// target CPU, and real models crawl at `-Onone`.
let hostOptimized: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=\(march)", "-O", "-enforce-exclusivity=unchecked"]),
]

let package = Package(
    name: "Arca",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arca", targets: ["arca"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(name: "ArcaTensor", swiftSettings: hostOptimized),
        // C helpers (SHA-NI) are optimized in every configuration, like the Swift kernels.
        .target(name: "CArcaCPU", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "ArcaKernels", dependencies: ["ArcaTensor", "CArcaCPU"], swiftSettings: hostOptimized),
        .target(name: "ArcaIR", dependencies: ["ArcaTensor"], swiftSettings: hostOptimized),
        .target(name: "ArcaRuntime", dependencies: ["ArcaTensor", "ArcaKernels", "ArcaIR"], swiftSettings: hostOptimized),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .target(name: "CArcaProto", dependencies: ["CProtobufC"]),
        .target(name: "ArcaImport", dependencies: ["ArcaTensor", "ArcaIR"], swiftSettings: hostOptimized),
        .target(name: "ArcaTasks", dependencies: ["ArcaTensor", "ArcaKernels", "ArcaIR", "ArcaRuntime", "CTurboJPEG", "CPNG"], swiftSettings: hostOptimized),
        .target(name: "ArcaRegistry", dependencies: ["ArcaTensor", "ArcaIR", "ArcaImport", "CZstd", "CArcaProto", "CArcaCPU"], swiftSettings: hostOptimized),
        .target(name: "ArcaRegistryHTTP", dependencies: ["ArcaRegistry", .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .target(name: "ArcaZoo", dependencies: ["ArcaTensor", "ArcaIR", "ArcaRuntime", "ArcaImport", "ArcaTasks", "ArcaRegistry"], swiftSettings: hostOptimized),
        .target(
            name: "ArcaServer",
            dependencies: [
                "ArcaTensor", "ArcaTasks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "arca",
            dependencies: [
                "ArcaTensor", "ArcaKernels", "ArcaIR", "ArcaRuntime", "ArcaImport", "ArcaTasks", "ArcaRegistry", "ArcaRegistryHTTP", "ArcaZoo", "ArcaServer", "CArcaCPU",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hostOptimized
        ),
        .testTarget(name: "ArcaTensorTests", dependencies: ["ArcaTensor"]),
        .testTarget(name: "ArcaKernelsTests", dependencies: ["ArcaKernels", "ArcaTensor"]),
        .testTarget(name: "ArcaIRTests", dependencies: ["ArcaIR", "ArcaTensor"]),
        .testTarget(name: "ArcaRuntimeTests", dependencies: ["ArcaRuntime", "ArcaIR", "ArcaKernels", "ArcaTensor"]),
        .testTarget(name: "ArcaImportTests", dependencies: ["ArcaImport", "ArcaIR", "ArcaRuntime", "ArcaTensor"]),
        .testTarget(name: "ArcaTasksTests", dependencies: ["ArcaTasks", "ArcaImport", "ArcaRuntime", "ArcaTensor"]),
        .testTarget(
            name: "ArcaServerTests",
            dependencies: [
                "ArcaServer", "ArcaTasks", "ArcaTensor",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "ArcaZooTests", dependencies: ["ArcaZoo", "ArcaTasks", "ArcaImport", "ArcaRuntime", "ArcaRegistry", "ArcaTensor"]),
        .testTarget(
            name: "ArcaRegistryTests",
            dependencies: ["ArcaRegistry", "ArcaRegistryHTTP", "ArcaZoo", "ArcaTasks", "ArcaKernels", "ArcaImport", "ArcaRuntime", "ArcaTensor"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
