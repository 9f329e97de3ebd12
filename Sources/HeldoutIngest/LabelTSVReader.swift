import Foundation
import HeldoutCore

/// Labelled sentences, `text<TAB>value[<TAB>value…]`, in one language (`--lang fr`), with the label
/// names from `--label` (`--label tone` is column 2; `--label tone=3` or `--label tone=register`
/// name another column by number or by a header row's name).
///
/// A first row whose first column is `text` or `sentence` is a header. Each sentence becomes a
/// segment carrying its labels; labels are what `tone`-like templates take their gold from.
public struct LabelTSVReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let lang: LanguageTag

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 1 else { throw HeldoutError.usage("a labelled TSV is one file") }
        guard !options.labels.isEmpty else {
            throw HeldoutError.usage("the labels format needs the label's name: pass --label NAME (e.g. --label tone)")
        }
        self.files = files
        self.options = options
        lang = try requireLang(options, format: .labels)
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        let reader = try LineReader(path: file, maxLineBytes: options.maxLineBytes)
        var columns: [String: Int]?
        var header: [String]?
        while let line = try reader.next() {
            if line.text.trimmingCharacters(in: .whitespaces).isEmpty || line.text.hasPrefix("#") { continue }
            let cells = line.text.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if header == nil, columns == nil, ["text", "sentence"].contains(cells[0].lowercased()) {
                header = cells
                continue
            }
            if columns == nil { columns = try resolveColumns(header: header, line: line.number) }
            guard let columns else { continue }
            var labels: [String: String] = [:]
            for (name, index) in columns {
                guard index < cells.count, !cells[index].isEmpty else {
                    if options.skipInvalid { sink.skip("invalid"); labels = [:]; break }
                    throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: 1),
                                                "no value for label \(name) (column \(index + 1))")
                }
                labels[name] = cells[index]
            }
            if labels.isEmpty { continue }
            guard !cells[0].isEmpty else {
                if options.skipInvalid { sink.skip("invalid"); continue }
                throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: 1), "empty sentence")
            }
            try sink.add(CorpusUnit(texts: [.init(lang: lang, text: cells[0])], domain: options.domain,
                                    location: SourceLocation(file: file, line: line.number), labels: labels))
            sink.progress(bytesRead: reader.bytesRead)
        }
    }

    /// Label name → 0-based column: a column number, a header name (the label's own name when no
    /// column is given), or, for a single label without header, the second column.
    func resolveColumns(header: [String]?, line: Int) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for name in options.labels.keys.sorted() {
            let given = options.labels[name] ?? ""
            let spec = given.isEmpty ? name : given
            if let number = Int(spec) {
                guard number >= 2 else {
                    throw HeldoutError.usage("--label \(name)=\(spec): column 1 is the sentence; labels are in columns 2 and on")
                }
                out[name] = number - 1
            } else if let header, let index = header.firstIndex(of: spec) {
                out[name] = index
            } else if header == nil, options.labels.count == 1, given.isEmpty {
                out[name] = 1
            } else {
                throw HeldoutError.usage("--label \(name)=\(spec): no such column (give a column number ≥ 2, or the name of a header column)")
            }
        }
        return out
    }
}
