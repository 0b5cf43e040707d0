import Testing
@testable import ArcaIR

@Suite struct ArcaIRSmokeTests {}
