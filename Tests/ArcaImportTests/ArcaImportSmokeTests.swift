import Testing
@testable import ArcaImport

@Suite struct ArcaImportSmokeTests {}
