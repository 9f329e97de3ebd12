/// One unit of a corpus as a reader delivers it: the sentences that translate one another
/// (a TMX `<tu>`, an XLIFF unit, a line pair) or one sentence of monolingual text.
///
/// Texts are raw; the store normalises them and derives their ids, so every reader gets
/// identity right by construction.
public struct CorpusUnit: Sendable {
    public struct Text: Sendable, Hashable {
        public var lang: LanguageTag
        public var text: String
        public init(lang: LanguageTag, text: String) {
            self.lang = lang
            self.text = text
        }
    }

    /// The document this unit belongs to inside its corpus (an XLIFF `<file>`, a text file or
    /// paragraph). Empty for formats without documents: the whole corpus is then one document.
    public var document: String
    public var texts: [Text]
    /// Domain declared by the unit itself (a TMX `x-domain` prop, an XLIFF attribute, a column).
    public var domain: String?
    /// Everything else the unit carried: TMX props and notes, XLIFF state, extra JSONL fields.
    public var metadata: [String: String]
    /// Where the unit starts, for messages about it.
    public var location: SourceLocation?

    public init(document: String = "", texts: [Text], domain: String? = nil,
                metadata: [String: String] = [:], location: SourceLocation? = nil) {
        self.document = document
        self.texts = texts
        self.domain = domain
        self.metadata = metadata
        self.location = location
    }
}

/// Where a reader puts what it reads. The store's ingest transaction is one; tests may use
/// another to look at a reader's output alone.
public protocol UnitSink: AnyObject {
    /// Takes one unit. Throws to abort the whole file.
    func add(_ unit: CorpusUnit) throws
    /// Counts units the reader left out, by reason ("untranslated", "fuzzy", "invalid").
    func skip(_ reason: String, count: Int)
    /// How far into its input the reader is, for progress reports.
    func progress(bytesRead: Int64)
}

extension UnitSink {
    public func skip(_ reason: String) { skip(reason, count: 1) }
    public func progress(bytesRead: Int64) {}
}
