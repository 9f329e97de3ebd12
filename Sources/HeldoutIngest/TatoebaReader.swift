import Foundation
import HeldoutCore

/// Reads a Tatoeba export: `sentences.csv` (`id<TAB>lang<TAB>text`, ISO 639-3 codes, no quoting,
/// no header; `sentences_detailed.csv` has more columns after the text, which are ignored)
/// and, when given, `links.csv` (`id<TAB>id`, one translation link per line).
///
/// - With links, every link between a sentence in the `--pair` source language and one in its
///   target language is one unit of two sentences. `links.csv` lists each link in both
///   directions; each pair of sentences is emitted once, at its first link, so a file that holds
///   one direction only loses nothing.
/// - Without links, every sentence (of `--lang`, or of both `--pair` languages, or of all
///   languages when neither is given) is a unit of its own.
///
/// **Memory.** Links refer to sentences anywhere in `sentences.csv` (~10M rows), so the
/// sentences of the two selected languages are held while links are read: about 45 bytes per
/// selected sentence plus its UTF-8 text in one contiguous buffer (English + French, ~2.5M
/// sentences, is ~200 MB), and 16 bytes per emitted pair for the duplicate check. Sentences of
/// other languages are dropped as they are read; that is why links need `--pair`. Without links
/// memory is constant.
public struct TatoebaReader: CorpusReader {
    public let files: [String]
    let sentencesPath: String
    let linksPath: String?
    let options: IngestOptions
    let selection: LanguageSelection

    public init(sentences: String, links: String?, options: IngestOptions) throws {
        self.sentencesPath = sentences
        self.linksPath = links
        self.files = [sentences] + (links.map { [$0] } ?? [])
        self.options = options
        self.selection = try LanguageSelection(options)
        if links != nil {
            guard let pair = selection.pairTags else {
                throw HeldoutError.usage("Tatoeba links need --pair (e.g. --pair en-fr or eng-fra): links are read against the sentences of two languages, and holding all ~10M sentences would take gigabytes")
            }
            guard pair.0.reconciled(with: pair.1) == nil else {
                throw HeldoutError.usage("--pair \(pair.0)-\(pair.1) names one language twice; Tatoeba links join two languages")
            }
        }
    }

    /// Is this file name one of Tatoeba's (`sentences*.csv`, `links*.csv`; `.tsv` too)?
    static func role(ofFile path: String) -> FileRole? {
        let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        guard name.hasSuffix(".csv") || name.hasSuffix(".tsv") else { return nil }
        if name.hasPrefix("sentences") { return .sentences }
        if name.hasPrefix("links") { return .links }
        return nil
    }

    enum FileRole { case sentences, links }

    /// Splits the CSV/TSV files of one ingest call into corpora: a `sentences*` file and a
    /// `links*` file make one Tatoeba corpus; `--columns tatoeba` says that two files given in
    /// that order are one, whatever their names. Every other file is a corpus of its own.
    static func groupIntoCorpora(_ files: [String], options: IngestOptions) throws -> [[String]] {
        if options.columns?.map({ $0.lowercased() }) == ["tatoeba"] {
            guard (1...2).contains(files.count) else {
                throw HeldoutError.usage("--columns tatoeba takes sentences.csv and, optionally, links.csv (in that order); got \(files.count) files")
            }
            return [files]
        }
        guard options.columns == nil else { return files.map { [$0] } }
        let sentences = files.filter { role(ofFile: $0) == .sentences }
        let links = files.filter { role(ofFile: $0) == .links }
        guard !links.isEmpty else { return files.map { [$0] } }
        guard links.count == 1, sentences.count == 1 else {
            throw HeldoutError.usage("Tatoeba: pass one sentences*.csv with one links*.csv per ingest (got \(sentences.count) sentences and \(links.count) links files)")
        }
        var groups: [[String]] = [[sentences[0], links[0]]]
        groups += files.filter { $0 != sentences[0] && $0 != links[0] }.map { [$0] }
        return groups
    }

    /// Is this a Tatoeba corpus (as grouped by ``groupIntoCorpora(_:options:)``)?
    static func isTatoeba(_ files: [String], options: IngestOptions) -> Bool {
        if options.columns?.map({ $0.lowercased() }) == ["tatoeba"] { return true }
        guard options.columns == nil else { return false }
        return files.count == 2 || (files.count == 1 && role(ofFile: files[0]) == .sentences)
    }

    public func read(into sink: UnitSink) throws {
        if let linksPath {
            let table = try readSentences(into: nil)
            try readLinks(linksPath, table: table, into: sink)
        } else {
            _ = try readSentences(into: sink)
        }
    }

    // MARK: sentences

    /// The selected sentences, their texts in one buffer: millions of small `String`s would
    /// cost several times their bytes.
    struct SentenceTable {
        struct Entry {
            var offset: Int
            var length: Int32
            /// 0: the pair's source language, 1: its target.
            var side: UInt8
            var line: Int32
        }
        var entries: [Int: Entry] = [:]
        var text: [UInt8] = []
        var tags: [LanguageTag] = []

        func string(_ entry: Entry) -> String {
            text.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[entry.offset..<(entry.offset + Int(entry.length))]), as: UTF8.self)
            }
        }
    }

    /// Reads `sentences.csv`: into a table for the links pass (`sink == nil`), or as
    /// monolingual units into `sink`.
    private func readSentences(into sink: UnitSink?) throws -> SentenceTable {
        let path = sentencesPath
        let lines = try LineReader(path: path, maxLineBytes: options.maxLineBytes)
        var table = SentenceTable()
        table.tags = selection.requested
        var codes: [String: (tag: LanguageTag?, side: UInt8?)] = [:]
        var seen: [String: Int] = [:]
        var matched = [Bool](repeating: false, count: selection.requested.count)
        var ticker = ProgressTicker()
        var sawLine = false
        while let line = try lines.next() {
            sawLine = true
            if let sink { ticker.tick(sink, lines.bytesRead) }
            var text = line.text
            let parsed: (id: Int, code: String, start: Int, end: Int)?
            parsed = try text.withUTF8 { buffer -> (Int, String, Int, Int)? in
                try parseSentence(buffer, line: line, path: path)
            }
            guard let parsed else {
                guard let sink else {
                    throw HeldoutError.badInput(SourceLocation(file: path, line: line.number, column: line.text.unicodeScalars.count + 1),
                                                "a sentences row has three tab-separated fields: id, language, text\(hint)")
                }
                try ReaderSupport.invalid(.badInput(SourceLocation(file: path, line: line.number, column: line.text.unicodeScalars.count + 1),
                                                    "a sentences row has three tab-separated fields: id, language, text\(hint)"),
                                          sink: sink, options: options)
                continue
            }
            // Each language code is parsed and matched against the selection once.
            let resolved: (tag: LanguageTag?, side: UInt8?)
            if let cached = codes[parsed.code] {
                resolved = cached
            } else {
                let tag = parsed.code == "\\N" ? nil : LanguageNames.tag(parsed.code)
                var side: UInt8?
                var chosenTag = tag
                if let tag, !selection.requested.isEmpty {
                    if let index = selection.requested.firstIndex(where: { tag.reconciled(with: $0) != nil }) {
                        side = UInt8(index)
                        chosenTag = tag.reconciled(with: selection.requested[index])
                    }
                } else if tag != nil {
                    side = 0
                }
                resolved = (chosenTag, side)
                if codes.count < 4096 { codes[parsed.code] = resolved }
            }
            if seen.count < 4096 || seen[parsed.code] != nil { seen[parsed.code, default: 0] += 1 }
            guard let side = resolved.side, let tag = resolved.tag else {
                if sink != nil, selection.requested.isEmpty { sink?.skip("unknown-language") }
                continue
            }
            if Int(side) < matched.count { matched[Int(side)] = true }
            if let sink {
                let sentence = text.withUTF8 {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[parsed.start..<parsed.end]), as: UTF8.self)
                }
                if ReaderSupport.isBlank(sentence) {
                    sink.skip("empty")
                    continue
                }
                try sink.add(CorpusUnit(texts: [.init(lang: tag, text: sentence)], metadata: ["id": String(parsed.id)],
                                        location: SourceLocation(file: path, line: line.number)))
                continue
            }
            if table.tags.count == selection.requested.count { table.tags[Int(side)] = tag }
            if let earlier = table.entries[parsed.id] {
                throw HeldoutError.badInput(SourceLocation(file: path, line: line.number, column: 1),
                                            "sentence id \(parsed.id) appears twice (first on line \(earlier.line))")
            }
            let offset = table.text.count
            text.withUTF8 { table.text.append(contentsOf: $0[parsed.start..<parsed.end]) }
            table.entries[parsed.id] = .init(offset: offset, length: Int32(parsed.end - parsed.start),
                                             side: side, line: Int32(clamping: line.number))
        }
        guard sawLine else { throw HeldoutError.badInput(SourceLocation(file: path), "file is empty") }
        if let sink { sink.progress(bytesRead: lines.bytesRead) }
        // Asking for a language the file does not hold is a mistake worth naming (`zh` where
        // Tatoeba writes `cmn`), not an empty corpus.
        if let missing = selection.requested.indices.first(where: { !matched[$0] }) {
            let common = seen.sorted { $0.value > $1.value }.prefix(12).map(\.key).joined(separator: ", ")
            throw HeldoutError.badInput(SourceLocation(file: path),
                                        "no sentence in \(selection.requested[missing]) (\(selection.optionName)); the commonest language codes here are: \(common)")
        }
        return table
    }

    private var hint: String { options.columns == nil ? " (if this is not a Tatoeba export, pass --columns)" : "" }

    /// Splits one sentences row: `nil` when it has fewer than three fields.
    private func parseSentence(_ buffer: UnsafeBufferPointer<UInt8>, line: LineReader.Line,
                               path: String) throws -> (Int, String, Int, Int)? {
        let tab = UInt8(ascii: "\t")
        guard let firstTab = buffer.firstIndex(of: tab),
              let secondTab = buffer[(firstTab + 1)...].firstIndex(of: tab) else { return nil }
        guard let id = Self.parseID(buffer[0..<firstTab]) else {
            throw HeldoutError.badInput(SourceLocation(file: path, line: line.number, column: 1),
                                        "sentence id \"\(String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<firstTab]), as: UTF8.self))\" is not a number\(hint)")
        }
        let code = String(decoding: UnsafeBufferPointer(rebasing: buffer[(firstTab + 1)..<secondTab]), as: UTF8.self)
        let start = secondTab + 1
        let end = buffer[start...].firstIndex(of: tab) ?? buffer.count
        return (id, code, start, end)
    }

    static func parseID(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    // MARK: links

    private struct LinkKey: Hashable {
        var source: Int
        var target: Int
    }

    private func readLinks(_ path: String, table: SentenceTable, into sink: UnitSink) throws {
        let lines = try LineReader(path: path, maxLineBytes: options.maxLineBytes)
        var emitted = Set<LinkKey>()
        var ticker = ProgressTicker()
        var sawLine = false
        let tab = UInt8(ascii: "\t")
        while let line = try lines.next() {
            sawLine = true
            ticker.tick(sink, lines.bytesRead)
            var text = line.text
            let ids: (Int, Int)?? = text.withUTF8 { buffer in
                guard let tabIndex = buffer.firstIndex(of: tab),
                      !buffer[(tabIndex + 1)...].contains(tab) else { return nil }
                guard let a = Self.parseID(buffer[0..<tabIndex]), let b = Self.parseID(buffer[(tabIndex + 1)...]) else {
                    return .some(nil)
                }
                return (a, b)
            }
            guard let shaped = ids, let (a, b) = shaped else {
                let problem = ids == nil ? "a links row has two tab-separated sentence ids" : "a links row holds sentence ids, which are numbers"
                try ReaderSupport.invalid(.badInput(SourceLocation(file: path, line: line.number, column: 1), problem),
                                          sink: sink, options: options)
                continue
            }
            // Links to sentences of other languages (or deleted ones) are not ours.
            guard let first = table.entries[a], let second = table.entries[b], first.side != second.side else { continue }
            let (source, target) = first.side == 0 ? ((a, first), (b, second)) : ((b, second), (a, first))
            guard emitted.insert(LinkKey(source: source.0, target: target.0)).inserted else { continue }
            let sourceText = table.string(source.1)
            let targetText = table.string(target.1)
            if ReaderSupport.isBlank(sourceText) || ReaderSupport.isBlank(targetText) {
                sink.skip("empty")
                continue
            }
            let sourceTag = table.tags[0], targetTag = table.tags[1]
            try sink.add(CorpusUnit(
                texts: [.init(lang: sourceTag, text: sourceText), .init(lang: targetTag, text: targetText)],
                metadata: ["id.\(sourceTag)": String(source.0), "id.\(targetTag)": String(target.0)],
                location: SourceLocation(file: path, line: line.number)))
        }
        guard sawLine else { throw HeldoutError.badInput(SourceLocation(file: path), "file is empty") }
        sink.progress(bytesRead: lines.bytesRead)
    }
}

// MARK: - Language names

/// How corpora name languages, mapped to the BCP 47 tags segments are stored under.
///
/// BCP 47 uses the two-letter ISO 639-1 code where one exists, so `eng` (Tatoeba, ISO 639-3)
/// and `fre`/`ger` (ISO 639-2/B) become `en`, `fr`, `de`. Three-letter codes without a
/// two-letter one (`cmn`, `yue`, `kab`, `tok`) are valid BCP 47 as they are and are kept.
enum LanguageNames {
    /// ISO 639-3 (and 639-2/B) codes of common corpus languages → ISO 639-1.
    static let threeToTwo: [String: String] = [
        "afr": "af", "amh": "am", "ara": "ar", "arb": "ar", "aze": "az", "bel": "be", "ben": "bn",
        "bos": "bs", "bre": "br", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy",
        "wel": "cy", "dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en",
        "epo": "eo", "est": "et", "eus": "eu", "baq": "eu", "fas": "fa", "pes": "fa", "per": "fa",
        "fin": "fi", "fra": "fr", "fre": "fr", "fry": "fy", "gle": "ga", "gla": "gd", "glg": "gl",
        "guj": "gu", "hau": "ha", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "hye": "hy",
        "arm": "hy", "ina": "ia", "ind": "id", "ile": "ie", "ibo": "ig", "isl": "is", "ice": "is",
        "ita": "it", "jpn": "ja", "kat": "ka", "geo": "ka", "kaz": "kk", "khm": "km", "kan": "kn",
        "kor": "ko", "kur": "ku", "lat": "la", "ltz": "lb", "lao": "lo", "lit": "lt", "lav": "lv",
        "lvs": "lv", "mkd": "mk", "mac": "mk", "mal": "ml", "mon": "mn", "khk": "mn", "mar": "mr",
        "msa": "ms", "may": "ms", "zsm": "ms", "mlt": "mt", "mya": "my", "bur": "my", "nob": "nb",
        "nld": "nl", "dut": "nl", "nno": "nn", "nor": "no", "oci": "oc", "pan": "pa", "pol": "pl",
        "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl",
        "sqi": "sq", "alb": "sq", "als": "sq", "spa": "es", "srp": "sr", "swe": "sv", "swa": "sw", "swh": "sw",
        "tam": "ta", "tel": "te", "tha": "th", "tgl": "tl", "tur": "tr", "tat": "tt", "uig": "ug",
        "ukr": "uk", "urd": "ur", "uzb": "uz", "uzn": "uz", "vie": "vi", "vol": "vo", "xho": "xh",
        "yid": "yi", "ydd": "yi", "yor": "yo", "zho": "zh", "chi": "zh", "zul": "zu",
    ]

    /// Three-letter codes with no two-letter equivalent that corpora (Tatoeba above all) use a
    /// lot; they count as language names where a name could also be something else.
    static let threeLetterOnly: Set<String> = [
        "ast", "ber", "cmn", "yue", "wuu", "nan", "hak", "kab", "tok", "jbo", "lfn", "tlh", "nds",
        "gos", "frr", "hsb", "dsb", "ckb", "shi", "zgh", "fil", "haw", "tpi", "pam", "ceb", "hil",
        "arz", "ary", "acm", "apc", "ajp", "yue", "crh", "kmr", "avk", "nov", "sah", "chv", "bak",
        "udm", "kha", "grn", "que", "quc", "nah", "oss", "lzh", "vec", "scn", "lij", "pms", "fur",
    ]

    /// Maps a tag's primary subtag through ``threeToTwo``: `eng-GB` → `en-GB`.
    static func canonical(_ tag: LanguageTag) -> LanguageTag {
        let primary = tag.primary
        guard primary.count == 3, let two = threeToTwo[primary] else { return tag }
        return LanguageTag(two + tag.value.dropFirst(3)) ?? tag
    }

    /// Parses a language code as corpora write it: BCP 47, POSIX (`fr_CA`, `sr@latin`,
    /// `de_DE.UTF-8`), ISO 639-3. `nil` when it is not a language tag.
    static func tag(_ raw: String) -> LanguageTag? {
        var code = raw.trimmingCharacters(in: .whitespaces)
        // POSIX locale: language[_territory][.codeset][@modifier]
        var modifier: String?
        if let at = code.firstIndex(of: "@") {
            modifier = String(code[code.index(after: at)...]).lowercased()
            code = String(code[..<at])
        }
        if let dot = code.firstIndex(of: ".") { code = String(code[..<dot]) }
        guard var tag = LanguageTag(code) else { return nil }
        switch modifier {
        case nil: break
        case "latin": tag = LanguageTag(tag.value + "-Latn") ?? tag
        case "cyrillic": tag = LanguageTag(tag.value + "-Cyrl") ?? tag
        case let variant?:
            // `ca@valencia` is the registered variant ca-valencia; unknown modifiers are dropped.
            if (5...8).contains(variant.count) { tag = LanguageTag(tag.value + "-" + variant) ?? tag }
        }
        return canonical(tag)
    }

    /// A stricter ``tag(_:)`` for names that might be something else (column names, file
    /// extensions, JSON keys): the primary subtag must be two letters, or a three-letter code
    /// heldout knows, so `url`, `txt` or `score` are not taken for languages.
    static func nameAsLanguage(_ raw: String) -> LanguageTag? {
        guard let tag = tag(raw) else { return nil }
        let primary = tag.primary
        if primary.count == 2 { return tag }
        if primary.count == 3, threeLetterOnly.contains(primary) { return tag }
        return nil
    }

    /// The language a file name declares through its last extension (`corpus.fr`,
    /// `train.en-fr.en`, `news.pt_BR`), or `nil`.
    static func fromExtension(of path: String) -> LanguageTag? {
        let ext = URL(fileURLWithPath: path).pathExtension
        guard !ext.isEmpty else { return nil }
        return nameAsLanguage(ext)
    }
}

extension LanguageTag {
    /// The more specific of two tags that name the same language (`fr` and `fr-CA` → `fr-CA`),
    /// or `nil` when they contradict each other (`fr` and `de`, `fr-CA` and `fr-FR`).
    func reconciled(with other: LanguageTag) -> LanguageTag? {
        let mine = value.lowercased().split(separator: "-")
        let theirs = other.value.lowercased().split(separator: "-")
        if mine.count <= theirs.count {
            return theirs.starts(with: mine) ? other : nil
        }
        return mine.starts(with: theirs) ? self : nil
    }
}
