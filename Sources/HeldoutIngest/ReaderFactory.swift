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
        default:
            return files.map { [$0] }
        }
    }

    /// The reader for one corpus of this format.
    public func makeReader(files: [String], options: IngestOptions) throws -> CorpusReader {
        switch self {
        case .text:
            return try PlainTextReader(files: files, options: options)
        case .moses:
            return try MosesReader(files: files, options: options)
        case .tsv, .csv:
            if TatoebaReader.isTatoeba(files, options: options) {
                return try TatoebaReader(sentences: files[0], links: files.count > 1 ? files[1] : nil, options: options)
            }
            guard files.count == 1 else {
                throw HeldoutError.usage("a \(rawValue) corpus is one file (got \(files.count))")
            }
            return try DelimitedReader(file: files[0], dialect: self == .csv ? .csv : .tsv, options: options)
        case .jsonl:
            guard files.count == 1 else { throw HeldoutError.usage("a jsonl corpus is one file (got \(files.count))") }
            return try JSONLReader(file: files[0], options: options)
        case .po:
            guard files.count == 1 else { throw HeldoutError.usage("a po corpus is one file (got \(files.count))") }
            return try POReader(file: files[0], options: options)
        default:
            throw HeldoutError.usage("the \(rawValue) reader is not built yet")
        }
    }
}
