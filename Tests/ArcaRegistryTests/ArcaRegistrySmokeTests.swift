import Testing
@testable import ArcaRegistry

@Suite struct ArcaRegistrySmokeTests {}
