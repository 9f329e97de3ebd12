import HeldoutCore

extension CorpusFormat {
    /// Splits the files of one `heldout ingest` call into corpora: most formats take one file
    /// per corpus; a Moses corpus is two files, a Tatoeba corpus `sentences.csv` + `links.csv`.
    public func groupIntoCorpora(_ files: [String], options: IngestOptions) throws -> [[String]] {
        switch self {
        default:
            return files.map { [$0] }
        }
    }

    /// The reader for one corpus of this format.
    public func makeReader(files: [String], options: IngestOptions) throws -> CorpusReader {
        switch self {
        case .tmx: return try TMXReader(path: try onlyFile(of: files), options: options)
        case .xliff: return try XLIFFReader(path: try onlyFile(of: files), options: options)
        case .xces: return try XCESReader(path: try onlyFile(of: files), options: options)
        default:
            throw HeldoutError.usage("the \(rawValue) reader is not built yet")
        }
    }
}
