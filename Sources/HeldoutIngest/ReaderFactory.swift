import HeldoutCore

extension CorpusFormat {
    /// Splits the files of one `heldout ingest` call into corpora: most formats take one file
    /// per corpus; a Moses corpus is two files, a Tatoeba corpus `sentences.csv` + `links.csv`.
    public func groupIntoCorpora(_ files: [String], options: IngestOptions) throws -> [[String]] {
        switch self {
        case .moses:
            return try MosesReader.groupIntoCorpora(files, options: options)
        case .tsv, .csv:
            return try TatoebaReader.groupIntoCorpora(files, options: options)
        case .dictd:
            return try DictdReader.group(files)
        default:
            return files.map { [$0] }
        }
    }

    /// The reader for one corpus of this format, its units held to the segment limit (and,
    /// for formats without documents of their own, each unit its own document under `auto`).
    public func makeReader(files: [String], options: IngestOptions) throws -> CorpusReader {
        guard options.maxSegmentBytes > 0 else {
            throw HeldoutError.usage("--max-segment-bytes must be at least 1, got \(options.maxSegmentBytes)")
        }
        let documents = try options.documents.resolved(for: self)
        return SegmentLimitedReader(base: try makeBaseReader(files: files, options: options), limit: options.maxSegmentBytes,
                                    emptyDocumentIsOwn: emptyDocumentIsOwn && documents == .auto)
    }

    private func makeBaseReader(files: [String], options: IngestOptions) throws -> CorpusReader {
        switch self {
        case .tmx: return try TMXReader(path: try onlyFile(of: files), options: options)
        case .xliff: return try XLIFFReader(path: try onlyFile(of: files), options: options)
        case .xces: return try XCESReader(path: try onlyFile(of: files), options: options)
        case .text:
            return try PlainTextReader(files: files, options: options)
        case .moses:
            return try MosesReader(files: files, options: options)
        case .tsv, .csv:
            if TatoebaReader.isTatoeba(files, options: options) {
                return try TatoebaReader(sentences: files[0], links: files.count > 1 ? files[1] : nil, options: options)
            }
            return try DelimitedReader(file: try onlyFile(of: files), dialect: self == .csv ? .csv : .tsv, options: options)
        case .jsonl:
            return try JSONLReader(file: try onlyFile(of: files), options: options)
        case .po:
            return try POReader(file: try onlyFile(of: files), options: options)
        case .dictd: return try DictdReader(files: files, options: options)
        case .tei: return try FreeDictTEIReader(files: files, options: options)
        case .glossary: return try GlossaryReader(files: files, options: options)
        case .conllu: return try CoNLLUReader(files: files, options: options)
        case .labels: return try LabelTSVReader(files: files, options: options)
        }
    }

    /// The one file of a corpus in a single-file format (tmx, xliff, xces).
    func onlyFile(of files: [String]) throws -> String {
        guard files.count == 1, let file = files.first else {
            throw HeldoutError.usage("a \(rawValue) corpus is one file, got \(files.count): \(files.joined(separator: ", "))")
        }
        return file
    }
}

