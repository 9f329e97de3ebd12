import Foundation
import HeldoutCore

/// Reads monolingual plain text (`--format text`) and hands out one unit per sentence.
///
/// The file streams through ``LineReader`` one line at a time; the reader keeps one paragraph
/// block at most (see ``SentenceAccumulator``), so memory does not grow with the file. A blank
/// line ends a paragraph, and with it any sentence still open (a heading without a full stop).
/// The document of each sentence is by default its paragraph, `"<file>#p<N>"` for the N-th
/// (from 1): isolation by document then keeps a paragraph's sentences, which share a topic and
/// often words, on one side of a split without tying the whole file together (a novel or a
/// manual in one file would otherwise be one document, and a document-level split of it
/// empty). `--documents file` makes the file one document; `--documents unit` makes each
/// sentence its own (``CorpusUnit/ownDocument``).
///
/// The language comes from `--lang` or from the file name (`news.fr.txt`, `fr.txt`); a file
/// name and a `--lang` that disagree are refused rather than resolved by a guess.
public struct PlainTextReader: CorpusReader {
    public let files: [String]
    /// The language of each file, in the order of ``files``.
    public let languages: [LanguageTag]
    public let documents: DocumentMode
    let maxLineBytes: Int
    let maxSegmentBytes: Int

    /// How often, in sentences, the sink hears how far the reader is.
    static let progressInterval = 1000

    /// Resolves the language of every file before anything is read, so that a usage mistake
    /// costs nothing.
    public init(files: [String], options: IngestOptions) throws {
        guard !files.isEmpty else { throw HeldoutError.usage("no input files") }
        if options.pair != nil {
            throw HeldoutError.usage("text is monolingual: pass --lang, not --pair")
        }
        self.files = files
        self.languages = try files.map { try Self.language(ofFile: $0, option: options.lang) }
        self.documents = try options.documents.resolved(for: .text)
        self.maxLineBytes = options.maxLineBytes
        self.maxSegmentBytes = options.maxSegmentBytes
    }

    public func read(into sink: UnitSink) throws {
        var bytesBefore: Int64 = 0
        for (file, language) in zip(files, languages) {
            bytesBefore += try read(file: file, language: language, into: sink, bytesBefore: bytesBefore)
        }
    }

    /// Reads one file; returns its size in bytes.
    private func read(file: String, language: LanguageTag, into sink: UnitSink, bytesBefore: Int64) throws -> Int64 {
        let lines = try LineReader(path: file, maxLineBytes: maxLineBytes)
        let name = URL(fileURLWithPath: file).lastPathComponent
        // A block with no sentence end is cut just past the segment limit, and the cut-off
        // "sentence" is then refused by the limit (``SegmentLimitedReader``), never stored.
        var accumulator = SentenceAccumulator(splitter: SentenceSplitter(language: language),
                                              limit: maxSegmentBytes == Int.max ? maxSegmentBytes : maxSegmentBytes + 1)
        var document = name
        var paragraph = 0
        var inParagraph = false
        var sentences = 0

        func emit(_ sentence: Sentence) throws {
            try sink.add(CorpusUnit(document: documents == .unit ? CorpusUnit.ownDocument : document,
                                    texts: [CorpusUnit.Text(lang: language, text: sentence.text)],
                                    location: SourceLocation(file: file, line: sentence.line)))
            sentences += 1
            if sentences % Self.progressInterval == 0 {
                sink.progress(bytesRead: bytesBefore + lines.bytesRead)
            }
        }

        while let line = try lines.next() {
            if Scan.isBlank(line.text) {
                if inParagraph {
                    try accumulator.finish(emit: emit)
                    inParagraph = false
                }
                continue
            }
            if !inParagraph {
                paragraph += 1
                inParagraph = true
                if documents == .paragraph { document = "\(name)#p\(paragraph)" }
            }
            try accumulator.add(line: line.text, number: line.number, emit: emit)
        }
        try accumulator.finish(emit: emit)
        sink.progress(bytesRead: bytesBefore + lines.bytesRead)
        return lines.bytesRead
    }

    // MARK: - Language

    /// The language of `path`: `--lang` if given, else what the file name says; both must agree.
    ///
    /// A tag agrees with a file name that names the same primary language: `--lang fr-CA` with
    /// `news.fr.txt` reads French of Canada; `--lang en` with `news.fr.txt` is refused, and so are
    /// two different regions.
    public static func language(ofFile path: String, option: LanguageTag?) throws -> LanguageTag {
        let named = languageFromName(path)
        switch (option, named) {
        case (nil, nil):
            throw HeldoutError.usage("\(path): text needs its language: pass --lang (e.g. --lang fr) or name the file like news.fr.txt")
        case let (option?, nil):
            return option
        case let (nil, named?):
            return named
        case let (option?, named?):
            guard option.primary == named.primary,
                  option.value == named.value || option.value == option.primary || named.value == named.primary else {
                throw HeldoutError.usage("\(path): --lang \(option) contradicts the file name, which says \(named); rename the file or change --lang")
            }
            return option.value.count >= named.value.count ? option : named
        }
    }

    /// The language a file name declares: a dotted part that is an ISO 639-1 code, optionally
    /// with a region (`news.fr.txt`, `news.fr-CA.txt`, `fr.txt`, `corpus.de`). Only two-letter
    /// codes count, so that `notes.txt` or `the.txt` are not read as language names.
    public static func languageFromName(_ path: String) -> LanguageTag? {
        let parts = URL(fileURLWithPath: path).lastPathComponent.split(separator: ".").map(String.init)
        // The extension itself (corpus.fr), then the part before it (news.fr.txt, fr.txt).
        for part in parts.suffix(2).reversed() {
            if let tag = languageCode(part) { return tag }
        }
        return nil
    }

    private static func languageCode(_ text: String) -> LanguageTag? {
        let pieces = text.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        guard let first = pieces.first, pieces.count <= 2, isoLanguages.contains(first.lowercased()) else { return nil }
        if pieces.count == 2 {
            // A region must look like one (FR, CA, 419): "en-fr" in a name is a pair, not French English.
            let region = pieces[1]
            let isRegion = (region.count == 2 && region.allSatisfy { $0.isASCII && $0.isUppercase })
                || (region.count == 3 && region.allSatisfy { $0.isASCII && $0.isNumber })
            guard isRegion else { return nil }
        }
        return LanguageTag(text)
    }

    /// ISO 639-1 two-letter language codes.
    static let isoLanguages: Set<String> = Set("""
        aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
        da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht \
        hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky \
        la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny \
        oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss \
        st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo \
        za zh zu
        """.split(separator: " ").map(String.init))
}
