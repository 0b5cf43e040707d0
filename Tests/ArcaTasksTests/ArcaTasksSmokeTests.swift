import Testing
@testable import ArcaTasks

@Suite struct ArcaTasksSmokeTests {}
