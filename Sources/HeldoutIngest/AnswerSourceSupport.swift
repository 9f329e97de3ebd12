import Foundation
import HeldoutCore

extension CorpusFormat {
    /// Answer-source files recognised by name: `X.index` / `X.dict(.dz)` (dictd), `.conllu`,
    /// `.tei`, `X.glossary.tsv`, `X.labels.tsv`. Nil for anything else, so corpus detection goes on.
    static func detectAnswerSource(_ url: URL) -> CorpusFormat? {
        let name = url.lastPathComponent.lowercased()
        if name.hasSuffix(".index") || name.hasSuffix(".dict.dz") || name.hasSuffix(".dict") { return .dictd }
        if name.hasSuffix(".conllu") { return .conllu }
        if name.hasSuffix(".tei") || name.hasSuffix(".tei.xml") { return .tei }
        if name.hasSuffix(".glossary.tsv") || name.hasSuffix(".glossary") { return .glossary }
        if name.hasSuffix(".labels.tsv") { return .labels }
        return nil
    }
}

/// The languages of a bilingual dictionary: `--pair fr-en`, or the file name (`freedict-fra-eng.index`,
/// `fra-eng.tei`, `fr-en.glossary.tsv`; ISO 639-3 codes are mapped to the primary subtags segments use).
enum DictionaryLanguages {
    static let iso639_3: [String: String] = [
        "fra": "fr", "fre": "fr", "eng": "en", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
        "por": "pt", "nld": "nl", "dut": "nl", "swe": "sv", "dan": "da", "nor": "no", "nob": "nb",
        "fin": "fi", "pol": "pl", "ces": "cs", "cze": "cs", "rus": "ru", "tur": "tr", "ell": "el",
        "hun": "hu", "ron": "ro", "rum": "ro", "cat": "ca", "lat": "la", "jpn": "ja", "zho": "zh",
    ]

    static func resolve(_ options: IngestOptions, path: String) throws -> (source: String, target: String) {
        if let pair = options.pair { return (pair.source.primary, pair.target.primary) }
        let stem = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        // The first `xx-yy` or `xxx-yyy` of two language codes in the name.
        let words = stem.split(whereSeparator: { !$0.isLetter && $0 != "-" }).flatMap { $0.split(separator: ".") }
        for word in words {
            let parts = word.split(separator: "-").map(String.init)
            for i in parts.indices.dropLast() {
                if let a = code(parts[i]), let b = code(parts[i + 1]) { return (a, b) }
            }
        }
        throw HeldoutError.usage("\(path): cannot tell the dictionary's languages from its name; pass --pair (e.g. --pair fr-en)")
    }

    private static func code(_ raw: String) -> String? {
        if raw.count == 3 { return iso639_3[raw] }
        if raw.count == 2, raw.allSatisfy({ $0.isASCII && $0.isLetter }) { return raw }
        return nil
    }
}

/// The language of a monolingual answer source (`--lang fr`), required: a treebank or labelled
/// file does not say what language it is in, and guessing would give segments the wrong identity.
func requireLang(_ options: IngestOptions, format: CorpusFormat) throws -> LanguageTag {
    if let lang = options.lang { return lang }
    if let pair = options.pair { return pair.source }
    throw HeldoutError.usage("the \(format.rawValue) format needs the language of its sentences: pass --lang (e.g. --lang fr)")
}
