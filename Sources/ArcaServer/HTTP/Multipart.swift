/// Just enough `multipart/form-data` to take the uploaded file out of a form.
enum Multipart {
    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces() }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in parts.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var b = p.dropFirst("boundary=".count)
            if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = b.dropFirst().dropLast() }
            return b.isEmpty ? nil : String(b)
        }
        return nil
    }

    /// The body of the first part that carries a `filename`, else of the first part.
    static func file(in body: [UInt8], boundary: String) throws -> [UInt8] {
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [(headers: String, body: ArraySlice<UInt8>)] = []
        guard var start = find(delimiter, in: body, from: 0) else {
            throw ServerError.badRequest("multipart body has no boundary line")
        }
        while true {
            var cursor = start + delimiter.count
            if body[cursor...].starts(with: Array("--".utf8)) { break }
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: cursor) else { break }
            cursor = min(skipCRLF(body, cursor), headerEnd)
            let headers = String(decoding: body[cursor..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else {
                throw ServerError.badRequest("multipart part is not terminated")
            }
            parts.append((headers, body[contentStart..<next]))
            start = next + 2
        }
        let chosen = parts.first { $0.headers.lowercased().contains("filename=") } ?? parts.first
        guard let chosen else { throw ServerError.badRequest("multipart body has no parts") }
        return Array(chosen.body)
    }

    private static func skipCRLF(_ b: [UInt8], _ i: Int) -> Int {
        b[i...].starts(with: [13, 10]) ? i + 2 : i
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
