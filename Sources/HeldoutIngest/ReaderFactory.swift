import HeldoutCore

extension CorpusFormat {
    /// Splits the files of one `heldout ingest` call into corpora: most formats take one file
    /// per corpus; a Moses corpus is two files, a Tatoeba corpus `sentences.csv` + `links.csv`.
    public func groupIntoCorpora(_ files: [String], options: IngestOptions) throws -> [[String]] {
        switch self {
        case .dictd:
            return try DictdReader.group(files)
        default:
            return files.map { [$0] }
        }
    }

    /// The reader for one corpus of this format.
    public func makeReader(files: [String], options: IngestOptions) throws -> CorpusReader {
        switch self {
        case .dictd: return try DictdReader(files: files, options: options)
        case .tei: return try FreeDictTEIReader(files: files, options: options)
        case .glossary: return try GlossaryReader(files: files, options: options)
        case .conllu: return try CoNLLUReader(files: files, options: options)
        case .labels: return try LabelTSVReader(files: files, options: options)
        default:
            throw HeldoutError.usage("the \(rawValue) reader is not built yet")
        }
    }
}
