import Foundation
import HeldoutCore

/// A Universal Dependencies treebank (CoNLL-U). Each sentence becomes a segment (its `# text =`
/// line, or its words joined as MISC `SpaceAfter=No` says) whose tokens keep id, form, lemma, UPOS,
/// FEATS, head and relation. Multiword tokens (`3-4 au`) are kept for the surface; empty nodes
/// (`5.1`, enhanced graphs only) are skipped. `# newdoc id = …` starts a document.
///
/// Checked, with the line and column of the first problem: ten tab-separated columns, word ids
/// 1…n in order, heads within the sentence, features `Name=Value`.
public struct CoNLLUReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let lang: LanguageTag

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 1 else { throw HeldoutError.usage("a CoNLL-U corpus is one file") }
        self.files = files
        self.options = options
        lang = try requireLang(options, format: .conllu)
    }

    struct Sentence {
        var text: String?
        var id: String?
        var tokens: [Token] = []
        var firstLine = 0
        var lines: [Int] = []
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        let reader = try LineReader(path: file, maxLineBytes: options.maxLineBytes)
        var document = ""
        var sentence = Sentence()
        func flush() throws {
            defer { sentence = Sentence() }
            guard !sentence.tokens.isEmpty else { return }
            do {
                try validate(sentence)
            } catch let error as HeldoutError where options.skipInvalid {
                _ = error
                sink.skip("invalid")
                return
            }
            let text = sentence.text ?? Self.surface(of: sentence.tokens)
            var metadata: [String: String] = [:]
            if let id = sentence.id { metadata["sent_id"] = id }
            try sink.add(CorpusUnit(document: document, texts: [.init(lang: lang, text: text)], domain: options.domain,
                                    metadata: metadata, location: SourceLocation(file: file, line: sentence.firstLine),
                                    tokens: sentence.tokens))
            sink.progress(bytesRead: reader.bytesRead)
        }
        while let line = try reader.next() {
            let raw = line.text
            if raw.trimmingCharacters(in: .whitespaces).isEmpty {
                try flush()
                continue
            }
            if sentence.firstLine == 0 { sentence.firstLine = line.number }
            if raw.hasPrefix("#") {
                let comment = raw.dropFirst().trimmingCharacters(in: .whitespaces)
                if let value = Self.value(of: "text", in: comment) { sentence.text = value }
                if let value = Self.value(of: "sent_id", in: comment) { sentence.id = value }
                if let value = Self.value(of: "newdoc id", in: comment) {
                    try flush()
                    document = value
                }
                continue
            }
            let columns = raw.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 10 else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: 1),
                                            "a CoNLL-U word line has 10 tab-separated columns, this one has \(columns.count)")
            }
            func column(_ index: Int) -> Int { columns[..<index].reduce(1) { $0 + $1.utf8.count + 1 } }
            let id = columns[0]
            if id.contains(".") { continue } // empty node of an enhanced graph
            let isRange = id.contains("-")
            guard isRange ? Token(id: id, form: "", lemma: "", upos: "", head: nil, deprel: "").range != nil : Int(id) != nil else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: 1), "word id \(id) is not a number or a range like 3-4")
            }
            guard let features = Features(conllu: columns[5]) else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: column(5)),
                                            "FEATS \(columns[5]) is not Name=Value pairs joined by |")
            }
            var head: Int?
            if !isRange {
                guard let h = Int(columns[6]), h >= 0 else {
                    throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: column(6)),
                                                "HEAD \(columns[6]) is not a word number (0 for the root)")
                }
                head = h
            }
            let noSpace = columns[9].split(separator: "|").contains("SpaceAfter=No")
            sentence.tokens.append(Token(id: id, form: columns[1], lemma: columns[2], upos: isRange ? "_" : columns[3],
                                         features: features, head: head, deprel: isRange ? "_" : columns[7],
                                         noSpaceAfter: noSpace))
            sentence.lines.append(line.number)
        }
        try flush()
    }

    /// Word ids run 1…n, a multiword token comes right before its first word, heads point inside.
    func validate(_ sentence: Sentence) throws {
        var expected = 1
        var words = 0
        for token in sentence.tokens where token.range == nil { words = max(words, token.index ?? 0) }
        for (offset, token) in sentence.tokens.enumerated() {
            let location = SourceLocation(file: files[0], line: sentence.lines[offset], column: 1)
            if let range = token.range {
                guard range.lowerBound == expected else {
                    throw HeldoutError.badInput(location, "multiword token \(token.id) does not start at word \(expected)")
                }
                continue
            }
            guard token.index == expected else {
                throw HeldoutError.badInput(location, "word id \(token.id) out of order: expected \(expected)")
            }
            expected += 1
            if let head = token.head, head > words {
                throw HeldoutError.badInput(location, "HEAD \(head) is beyond the sentence's last word (\(words))")
            }
        }
    }

    /// `text = …` → the value; nil for another comment.
    static func value(of key: String, in comment: String) -> String? {
        guard comment.hasPrefix(key) else { return nil }
        let rest = comment.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("=") else { return nil }
        return rest.dropFirst().trimmingCharacters(in: .whitespaces)
    }

    /// The sentence as written, from its tokens: a multiword token's form stands for its words.
    public static func surface(of tokens: [Token]) -> String {
        var out = ""
        var skipThrough = 0
        for token in tokens {
            if let range = token.range {
                skipThrough = range.upperBound
            } else if let index = token.index, index <= skipThrough {
                continue
            }
            out += token.form
            if !token.noSpaceAfter { out += " " }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
