import HeldoutCore

/// A minimal streaming scan of a TMX file for `--against`: the text of every `<seg>`,
/// grouped by `<tu>`, with the line the unit starts on.
///
/// Not an XML parser, on purpose: the audit only needs the sentences, and depending on the
/// ingest module's libxml2 reader would tie the audit to the ingest stage. Inline markup
/// (`<bpt>`, `<ept>`, `<ph>`, `<it>`, `<ut>`) and its content is dropped, `<hi>`/`<sub>`
/// tags are dropped but their text kept, predefined entities and character references are
/// decoded, comments skipped, CDATA kept. No DTD or external entity is ever read.
enum TMXScanner {
    static func forEachUnit(path: String, _ body: ([String], Int) throws -> Void) throws {
        let reader = try LineChunkReader(path: path)
        var inTag = false
        var tag: [UInt8] = []
        var inSeg = false
        var skipDepth = 0
        var seg: [UInt8] = []
        var texts: [String] = []
        var inUnit = false
        var unitLine = 1
        let codes: Set<String> = ["bpt", "ept", "ph", "it", "ut"]

        func finishSeg() {
            if let s = String(validating: decodeEntities(seg), as: UTF8.self) {
                let t = TextNormalization.normalize(s)
                if !t.isEmpty { texts.append(t) }
            }
            seg.removeAll(keepingCapacity: true)
        }

        while let chunk = try reader.next() {
            for k in chunk.lines.indices {
                let line = chunk.firstLine + k
                try chunk.withLine(k) { bytes in
                    for b in bytes {
                        if inTag {
                            tag.append(b)
                            guard b == UInt8(ascii: ">") else { continue }
                            if tag.starts(with: Array("!--".utf8)), !tag.dropLast().reversed().starts(with: [0x2D, 0x2D]) { continue }
                            if tag.starts(with: Array("![CDATA[".utf8)) {
                                guard tag.dropLast().reversed().starts(with: [0x5D, 0x5D]) else { continue }
                                if inSeg && skipDepth == 0 {
                                    // CDATA is literal: escape '&' so entity decoding leaves it alone.
                                    for c in tag.dropFirst(8).dropLast(3) {
                                        if c == UInt8(ascii: "&") { seg.append(contentsOf: Array("&amp;".utf8)) } else { seg.append(c) }
                                    }
                                }
                                inTag = false
                                tag.removeAll(keepingCapacity: true)
                                continue
                            }
                            inTag = false
                            let closing = tag.first == UInt8(ascii: "/")
                            let selfClosing = tag.count >= 2 && tag[tag.count - 2] == UInt8(ascii: "/")
                            let nameBytes = tag.drop { $0 == UInt8(ascii: "/") }
                                .prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "/") }
                            let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
                            tag.removeAll(keepingCapacity: true)
                            switch (name, closing) {
                            case ("tu", false):
                                if !selfClosing { inUnit = true; unitLine = line; texts = [] }
                            case ("tu", true):
                                if !texts.isEmpty { try body(texts, unitLine) }
                                texts = []
                                inUnit = false
                            case ("seg", false):
                                if !selfClosing { inSeg = true; skipDepth = 0; seg.removeAll(keepingCapacity: true) }
                                if !inUnit { unitLine = line }
                            case ("seg", true):
                                inSeg = false
                                finishSeg()
                                if !inUnit, !texts.isEmpty { try body(texts, unitLine); texts = [] }
                            case (let n, false) where inSeg && codes.contains(n):
                                if !selfClosing { skipDepth += 1 }
                            case (let n, true) where inSeg && codes.contains(n):
                                skipDepth = max(0, skipDepth - 1)
                            default:
                                break
                            }
                        } else if b == UInt8(ascii: "<") {
                            inTag = true
                        } else if inSeg && skipDepth == 0 {
                            seg.append(b)
                        }
                    }
                    if inSeg && skipDepth == 0 { seg.append(0x20) } else if inTag { tag.append(0x20) }
                }
            }
        }
        if inSeg || inTag {
            throw HeldoutError.badInput(SourceLocation(file: path, line: unitLine), "TMX ends inside a <seg> or a tag: truncated file?")
        }
    }

    /// Decodes `&lt; &gt; &amp; &quot; &apos;` and `&#N;`/`&#xN;`; anything else is kept as is.
    static func decodeEntities(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "&")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "&"), let end = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                out.append(bytes[i]); i += 1; continue
            }
            let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
            var replacement: String?
            switch name {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                    replacement = String(Character(u))
                } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) {
                    replacement = String(Character(u))
                }
            }
            if let replacement {
                out.append(contentsOf: Array(replacement.utf8))
                i = end + 1
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }
}
