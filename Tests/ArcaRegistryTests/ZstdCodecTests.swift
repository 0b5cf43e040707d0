import Testing
@testable import ArcaRegistry

/// Hand-built zstd frames: a frame header with an 8-byte content size field and one raw block.
enum CraftedFrame {
    /// `windowExponent` gives a window of 2^(10+exponent) bytes; nil writes a single-segment frame.
    static func make(declared: UInt64?, payload: [UInt8], windowExponent: UInt8? = 0) -> [UInt8] {
        var out: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        let fcsFlag: UInt8 = declared == nil ? 0 : 3
        let singleSegment: UInt8 = windowExponent == nil ? 1 : 0
        out.append(fcsFlag << 6 | singleSegment << 5)
        if let e = windowExponent { out.append(e << 3) }
        if var d = declared { for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: d)); d >>= 8 } }
        let header = UInt32(1) | UInt32(payload.count) << 3
        out += [UInt8(truncatingIfNeeded: header), UInt8(truncatingIfNeeded: header >> 8), UInt8(truncatingIfNeeded: header >> 16)]
        return out + payload
    }
}

@Suite struct ZstdCodecTests {
    let data = TestSupport.weightLikeFloat32(50_000, seed: 3)

    @Test func roundTrip() throws {
        for level in [1, 3, 19] {
            let frame = try ZstdCodec.compress(data, level: level)
            #expect(frame.count < data.count)
            #expect(try ZstdCodec.decompress(frame, expectedSize: data.count) == data)
        }
        let empty = try ZstdCodec.compress([], level: 3)
        #expect(try ZstdCodec.decompress(empty, expectedSize: 0) == [])
    }

    @Test func craftedFrameDecodes() throws {
        let payload: [UInt8] = Array("hello, arca".utf8)
        #expect(try ZstdCodec.decompress(CraftedFrame.make(declared: UInt64(payload.count), payload: payload), expectedSize: payload.count) == payload)
    }

    @Test func declaredSizeMustMatch() throws {
        let frame = try ZstdCodec.compress(data, level: 3)
        #expect(throws: ZstdError.contentSizeMismatch(declared: UInt64(data.count), expected: data.count - 1)) {
            try ZstdCodec.decompress(frame, expectedSize: data.count - 1)
        }
        #expect(throws: ZstdError.contentSizeMismatch(declared: UInt64(data.count), expected: data.count + 1)) {
            try ZstdCodec.decompress(frame, expectedSize: data.count + 1)
        }
    }

    @Test func unknownContentSizeIsRefused() {
        let frame = CraftedFrame.make(declared: nil, payload: [1, 2, 3])
        #expect(throws: ZstdError.unknownContentSize) { try ZstdCodec.decompress(frame, expectedSize: 3) }
    }

    @Test func hugeDeclaredSizeIsRefusedBeforeAllocating() {
        let frame = CraftedFrame.make(declared: 1 << 40, payload: [1, 2, 3])
        #expect(throws: ZstdError.sizeLimitExceeded(requested: 1 << 40, limit: ZstdCodec.defaultMaxOutputSize)) {
            try ZstdCodec.decompress(frame, expectedSize: 1 << 40)
        }
        #expect(throws: ZstdError.contentSizeMismatch(declared: 1 << 40, expected: 3)) {
            try ZstdCodec.decompress(frame, expectedSize: 3)
        }
        #expect(throws: ZstdError.sizeLimitExceeded(requested: -1, limit: ZstdCodec.defaultMaxOutputSize)) {
            try ZstdCodec.decompress(frame, expectedSize: -1)
        }
    }

    @Test func windowIsLimited() {
        let frame = CraftedFrame.make(declared: 3, payload: [1, 2, 3], windowExponent: 20)
        #expect(throws: ZstdError.windowTooLarge(maxWindowLog: 27)) { try ZstdCodec.decompress(frame, expectedSize: 3) }
        let ok = CraftedFrame.make(declared: 3, payload: [1, 2, 3], windowExponent: 17)
        #expect((try? ZstdCodec.decompress(ok, expectedSize: 3)) == [1, 2, 3])
    }

    @Test func blockLongerThanDeclaredSizeIsRefused() {
        let frame = CraftedFrame.make(declared: 4, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(throws: ZstdError.self) { try ZstdCodec.decompress(frame, expectedSize: 4) }
    }

    @Test func blockShorterThanDeclaredSizeIsRefused() {
        let frame = CraftedFrame.make(declared: 8, payload: [1, 2, 3, 4])
        #expect(throws: ZstdError.self) { try ZstdCodec.decompress(frame, expectedSize: 8) }
    }

    @Test func truncatedFramesAreRefused() throws {
        let frame = try ZstdCodec.compress(data, level: 3)
        for cut in [1, 2, 4, 100, frame.count / 2, frame.count - 8] {
            let short = Array(frame[..<(frame.count - cut)])
            #expect(throws: ZstdError.self, "cut \(cut)") { try ZstdCodec.decompress(short, expectedSize: data.count) }
        }
        #expect(throws: ZstdError.truncated) { try ZstdCodec.decompress(Array(frame[..<(frame.count - 1)]), expectedSize: data.count) }
        #expect(throws: ZstdError.truncated) { try ZstdCodec.decompress([0x28, 0xB5], expectedSize: 0) }
    }

    @Test func trailingBytesAreRefused() throws {
        let frame = try ZstdCodec.compress(data, level: 3)
        #expect(throws: ZstdError.trailingData(count: 3)) { try ZstdCodec.decompress(frame + [0, 1, 2], expectedSize: data.count) }
        #expect(throws: ZstdError.trailingData(count: frame.count)) { try ZstdCodec.decompress(frame + frame, expectedSize: data.count) }
    }

    @Test func garbageNeverCrashes() throws {
        let frame = try ZstdCodec.compress(data, level: 3)
        var g = SplitMix(state: 11)
        for _ in 0..<300 {
            var bad = frame
            for _ in 0..<(1 + Int(g.next() % 4)) {
                let i = Int(g.next() % UInt64(bad.count))
                bad[i] ^= UInt8(truncatingIfNeeded: g.next() | 1)
            }
            if let out = try? ZstdCodec.decompress(bad, expectedSize: data.count) {
                #expect(out.count == data.count)
            }
        }
        #expect(throws: ZstdError.invalidFrameHeader) { try ZstdCodec.decompress(TestSupport.randomBytes(64, seed: 5), expectedSize: 10) }
    }
}
