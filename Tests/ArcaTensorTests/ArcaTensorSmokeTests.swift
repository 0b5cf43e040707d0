import Testing
@testable import ArcaTensor

@Suite struct ArcaTensorSmokeTests {}
