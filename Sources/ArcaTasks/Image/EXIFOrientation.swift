/// EXIF orientation (tag 0x0112) read from a JPEG's APP1 segment, and its application to pixels.
public enum EXIFOrientation {
    /// The orientation value 1–8, or nil when absent or malformed. Every read is bounds-checked.
    public static func read(jpeg d: [UInt8]) -> Int? {
        guard d.count >= 4, d[0] == 0xFF, d[1] == 0xD8 else { return nil }
        var p = 2
        while p + 4 <= d.count {
            guard d[p] == 0xFF else { return nil }
            let marker = d[p + 1]
            if marker == 0xFF { p += 1; continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { p += 2; continue }
            let length = Int(d[p + 2]) << 8 | Int(d[p + 3])
            guard length >= 2, p + 2 + length <= d.count else { return nil }
            let body = (p + 4)..<(p + 2 + length)
            if marker == 0xE1, body.count >= 14, d[body.lowerBound..<body.lowerBound + 6].elementsEqual(Array("Exif\0\0".utf8)) {
                if let o = orientation(tiff: Array(d[(body.lowerBound + 6)..<body.upperBound])) { return o }
            }
            p += 2 + length
        }
        return nil
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF block.
    static func orientation(tiff t: [UInt8]) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let n = u16(ifd) else { return nil }
        for i in 0..<n {
            let e = ifd + 2 + 12 * i
            guard let tag = u16(e), let type = u16(e + 2) else { return nil }
            if tag == 0x0112 {
                guard type == 3, let v = u16(e + 8), (1...8).contains(v) else { return nil }
                return v
            }
        }
        return nil
    }

    /// The image displayed upright for orientation `o` (1 = as stored; 5–8 swap width and height).
    public static func apply(_ o: Int, to img: RGBImage) -> RGBImage {
        guard (2...8).contains(o) else { return img }
        let w = img.width, h = img.height
        let swap = o >= 5
        let ow = swap ? h : w, oh = swap ? w : h
        var out = [UInt8](repeating: 0, count: img.pixels.count)
        img.pixels.withUnsafeBufferPointer { src in
            for y in 0..<oh {
                for x in 0..<ow {
                    let (sx, sy): (Int, Int)
                    switch o {
                    case 2: (sx, sy) = (w - 1 - x, y)
                    case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                    case 4: (sx, sy) = (x, h - 1 - y)
                    case 5: (sx, sy) = (y, x)
                    case 6: (sx, sy) = (y, h - 1 - x)
                    case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                    default: (sx, sy) = (w - 1 - y, x)
                    }
                    let s = (sy * w + sx) * 3, d = (y * ow + x) * 3
                    out[d] = src[s]; out[d + 1] = src[s + 1]; out[d + 2] = src[s + 2]
                }
            }
        }
        // Dimensions come from a valid image, so this cannot fail.
        return (try? RGBImage(width: ow, height: oh, pixels: out)) ?? img
    }
}
