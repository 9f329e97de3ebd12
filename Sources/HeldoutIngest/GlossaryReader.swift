import Foundation
import HeldoutCore

/// A bilingual glossary, one sense per line: `headword<TAB>pos<TAB>gloss`.
///
/// `pos` may be empty. Within a gloss, `;` separates senses and `,` separates synonyms of one sense
/// (`pont	n	deck; bridge`). Lines starting with `#` and blank lines are ignored. The languages come
/// from `--pair fr-en` or the file name (`fr-en.glossary.tsv`).
public struct GlossaryReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let languages: (source: String, target: String)

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 1, let file = files.first else { throw HeldoutError.usage("a glossary is one file") }
        self.files = files
        self.options = options
        languages = try DictionaryLanguages.resolve(options, path: file)
    }

    public func read(into sink: UnitSink) throws {
        let reader = try LineReader(path: files[0], maxLineBytes: options.maxLineBytes)
        while let line = try reader.next() {
            let trimmed = line.text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let columns = line.text.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let location = SourceLocation(file: files[0], line: line.number, column: 1)
            guard columns.count == 3 else {
                if options.skipInvalid { sink.skip("invalid"); continue }
                throw HeldoutError.badInput(location, "expected 3 tab-separated columns (headword, pos, gloss), found \(columns.count)")
            }
            let senses = columns[2].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !columns[0].isEmpty, !senses.isEmpty else {
                if options.skipInvalid { sink.skip("invalid"); continue }
                let column = columns[0].isEmpty ? 1 : columns[0].utf8.count + columns[1].utf8.count + 3
                throw HeldoutError.badInput(SourceLocation(file: files[0], line: line.number, column: column),
                                            columns[0].isEmpty ? "empty headword" : "empty gloss")
            }
            try sink.addEntry(DictionaryEntry(headword: columns[0], pos: columns[1].isEmpty ? nil : columns[1], senses: senses,
                                              sourceLang: languages.source, targetLang: languages.target, location: location))
            sink.progress(bytesRead: reader.bytesRead)
        }
    }
}
