import Testing
@testable import ArcaRuntime

@Suite struct ArcaRuntimeSmokeTests {}
