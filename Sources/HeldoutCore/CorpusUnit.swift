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
    /// The document of a unit that is a document of its own (a TMX `<tu>` without a document
    /// prop, a PO message): it shares nothing with another unit, so it makes no isolation link
    /// and the store keeps no row for it (document id 0), which a row per unit would cost.
    public static let ownDocument = "\u{1F}own"
    public var texts: [Text]
    /// Domain declared by the unit itself (a TMX `x-domain` prop, an XLIFF attribute, a column).
    public var domain: String?
    /// Everything else the unit carried: TMX props and notes, XLIFF state, extra JSONL fields.
    public var metadata: [String: String]
    /// Where the unit starts, for messages about it.
    public var location: SourceLocation?
    /// The analysed words of the unit's first text (a CoNLL-U sentence), nil when the format has none.
    /// Kept per occurrence, since two treebanks may analyse one sentence differently.
    public var tokens: [Token]?
    /// Labels of the unit (`--label tone=column`): name → value, stored for every segment of the
    /// unit, since a translation carries the tone of its source.
    public var labels: [String: String]

    public init(document: String = "", texts: [Text], domain: String? = nil,
                metadata: [String: String] = [:], location: SourceLocation? = nil,
                tokens: [Token]? = nil, labels: [String: String] = [:]) {
        self.document = document
        self.texts = texts
        self.domain = domain
        self.metadata = metadata
        self.location = location
        self.tokens = tokens
        self.labels = labels
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
    /// Takes one dictionary entry (an answer source, not a sentence: it makes no segment).
    func addEntry(_ entry: DictionaryEntry) throws
}

extension UnitSink {
    public func skip(_ reason: String) { skip(reason, count: 1) }
    public func progress(bytesRead: Int64) {}
    /// Sinks that only take sentences refuse entries, rather than drop them silently.
    public func addEntry(_ entry: DictionaryEntry) throws {
        throw HeldoutError.usage("\(type(of: self)) does not store dictionary entries (\(entry.headword)); ingest dictionaries into a store")
    }
}
