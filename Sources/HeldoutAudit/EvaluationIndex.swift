import Dispatch
import Foundation
import HeldoutCore
import HeldoutStore

/// An evaluation record and where it came from.
struct EvalRecord: Sendable {
    var ref: RecordRef
    /// Folded answer, when it is long enough to look for (see ``AuditOptions``).
    var answerTokens: Range<Int>?
}

/// One evaluation sentence: the source, its translation, or a store segment the record names.
/// A sentence several records share (the same text and store id) is indexed once.
struct EvalSegment: Sendable {
    /// Its records: `EvaluationIndex.segmentRecords[records]`, ascending.
    var records: Range<Int>
    var text: String
    var id: ContentID?
    var tokens: Range<Int>
    var shingles: Range<Int>
}

/// Where an n-gram anchor points: `n` words of a segment from `offset`.
struct NGramAnchor: Sendable {
    var segment: Int32
    var offset: Int32
    var n: Int32
}

/// A key shared by records (document, lexeme, consistency group) and its evaluation records.
struct KeyEntry: Sendable {
    var key: String
    var records: [Int32]
}

/// Everything known about the evaluation side, indexed by the audit's own 64-bit hashes:
/// folded sentences, segment ids, passage anchors, MinHash bands, translation closures,
/// documents, lexemes, consistency groups and answers. Built once; read by every thread that streams
/// training records past it.
final class EvaluationIndex: @unchecked Sendable {
    let options: AuditOptions
    let threshold: Double
    private(set) var records: [EvalRecord] = []
    private(set) var segments: [EvalSegment] = []
    private(set) var segmentRecords: [Int32] = []
    private(set) var tokens: [UInt64] = []
    private(set) var shingles: [UInt64] = []
    private(set) var answerTokens: [UInt64] = []

    private(set) var folded = HashMultiMap<Int32>([])
    private(set) var ids = HashMultiMap<Int32>([])
    /// Segment ids records name in `segments` → record (with or without a store).
    private(set) var namedIDs = HashMultiMap<Int32>([])
    /// Passage anchors: the first `minimumNgramSize` words at every offset of every segment
    /// of at least that many words.
    private(set) var anchors = HashMultiMap<NGramAnchor>([])
    private(set) var lsh = BandIndex([])
    /// Translation closures holding evaluation segments (``TranslationClosures``).
    private(set) var closures: [TranslationClosures.Entry] = []
    /// Folded-text hash → index into `closureFoldedEntry` / `closureFoldedSegment`: every
    /// folded text of a closure that holds evaluation segments.
    private(set) var closureByFolded = HashMultiMap<Int32>([])
    private(set) var closureFoldedEntry: [Int32] = []
    private(set) var closureFoldedSegment: [ContentID] = []
    /// Segment id key → index into `closureIDs` (and its entry and folded text).
    private(set) var closureByID = HashMultiMap<Int32>([])
    private(set) var closureIDs: [ContentID] = []
    private(set) var closureIDEntry: [Int32] = []
    private(set) var closureIDFolded: [UInt64] = []
    /// Evaluation answers not looked for: not specific, or shared by too many records.
    private(set) var unspecificAnswers = 0
    private(set) var commonAnswers = 0
    private(set) var documentsBySegment = HashMultiMap<Int32>([])
    private(set) var documentsByKey = HashMultiMap<Int32>([])
    private(set) var documents: [KeyEntry] = []
    private(set) var lexemesByKey = HashMultiMap<Int32>([])
    private(set) var lexemes: [KeyEntry] = []
    private(set) var groupsByKey = HashMultiMap<Int32>([])
    private(set) var groups: [KeyEntry] = []
    /// Answer anchors: key of the first `min(3, length)` words → record.
    private(set) var answers = HashMultiMap<Int32>([])
    /// Which anchor lengths (1…3) answers use, so the scan computes only those.
    private(set) var answerAnchorLengths: [Int] = []
    let family: MinHashSignature.Family

    init(options: AuditOptions, threshold: Double) {
        self.options = options
        self.threshold = threshold
        family = MinHashSignature.Family(count: options.minhashBands * options.minhashRows)
    }

    var needsTrainingSegmentIDs: Bool { !ids.isEmpty || !namedIDs.isEmpty || !closureByID.isEmpty || !documentsBySegment.isEmpty }

    static func answerAnchorKey(_ tokens: UnsafeBufferPointer<UInt64>, _ start: Int, _ k: Int) -> UInt64 {
        Hash64.sequence(tokens[start..<(start + k)], salt: Hash64.saltAnchor &+ 0x100)
    }

    /// Builds the index from the evaluation records, with the store when there is one.
    /// `progress` is called with the name of each step as it begins (stage timings).
    func build(_ input: [EvalRecord], store: (any AuditSegmentSource)?, progress: ((String) -> Void)? = nil) throws {
        records = input
        progress?("evaluation index: segment ids")
        var foldedPairs: [(key: UInt64, value: Int32)] = []
        var idPairs: [(key: UInt64, value: Int32)] = []
        var anchorPairs: [(key: UInt64, value: NGramAnchor)] = []
        var lshPairs: [UInt64] = []
        var answerPairs: [(key: UInt64, value: Int32)] = []
        var anchorLengths: Set<Int> = []

        // Segment ids each record names or implies, and (with a store) what the store knows.
        var namedPairs: [(key: UInt64, value: Int32)] = []
        var recordIDs: [[ContentID]] = []
        recordIDs.reserveCapacity(records.count)
        // With a store, the ids of each record's source and translation (SHA-256 each: on all cores).
        let implied: [[ContentID]] = store == nil ? [] : parallelMap(records) { rec in
            guard let record = rec.ref.record else { return [] }
            var list: [ContentID] = []
            let sourceLang = record.source?.lang.flatMap(LanguageTag.init)
            if let lang = sourceLang, let text = record.source?.text {
                list.append(AuditText.segmentID(lang: lang, text: text))
            }
            if let lang = AuditText.translationLanguage(pair: record.pair, source: sourceLang), let text = record.source?.translation {
                list.append(AuditText.segmentID(lang: lang, text: text))
            }
            return list
        }
        for (r, rec) in records.enumerated() {
            // Without a store, ids only matter when records name them (`segments`).
            guard let record = rec.ref.record, store != nil || record.segments != nil else { recordIDs.append([]); continue }
            var list: [ContentID] = []
            for (k, hex) in (record.segments ?? []).enumerated() {
                guard let id = ContentID(hex: hex.lowercased()) else {
                    throw HeldoutError.badInput(SourceLocation(file: rec.ref.file, line: rec.ref.line),
                                                "segments[\(k)]: \"\(hex)\" is not a segment id (32 hex digits)")
                }
                list.append(id)
                namedPairs.append((AuditText.idKey(id), Int32(r)))
            }
            if store != nil { list.append(contentsOf: implied[r]) }
            var seen = Set<ContentID>()
            recordIDs.append(list.filter { seen.insert($0).inserted })
        }
        var known: [ContentID: AuditSegment] = [:]
        var translation = TranslationClosures()
        if let store {
            progress?("evaluation index: store segments")
            known = try store.auditSegments(recordIDs.flatMap { $0 })
            progress?("evaluation index: translation closures")
            translation = try TranslationClosures.build(source: store)
            progress?("evaluation index: sentences")
        }
        // Every segment of every evaluation document, so a training record is tied to a
        // document through any of its segments, not only through the ones evaluation shares.
        // Read on a thread of its own while the sentences are folded and indexed below.
        let documentRows = BackgroundRows()
        let documentReads = DispatchGroup()
        if let store {
            let documentIDs = Array(Set(known.values.flatMap { $0.documents.map(\.storeID) }))
            if !documentIDs.isEmpty {
                DispatchQueue.global().async(group: documentReads) {
                    do {
                        try store.auditDocumentSegments(documentIDs) { docID, segmentID in
                            documentRows.rows.append((docID, AuditText.idKey(segmentID)))
                        }
                    } catch {
                        documentRows.error = error
                    }
                }
            }
        }

        var docIndex: [String: Int32] = [:]
        var lexemeIndex: [String: Int32] = [:]
        var groupIndex: [String: Int32] = [:]
        var storeDocuments: [Int64: Int32] = [:]
        func add(_ key: String, _ r: Int32, to index: inout [String: Int32], _ entries: inout [KeyEntry]) {
            if let k = index[key] {
                if entries[Int(k)].records.last != r { entries[Int(k)].records.append(r) }
            } else {
                index[key] = Int32(entries.count)
                entries.append(KeyEntry(key: key, records: [r]))
            }
        }

        var entryOfRoot: [Int32: Int32] = [:]

        // The records' sentences (source, translation, then store segments they name), in order.
        var sentences: [(record: Int32, text: String, id: ContentID?)] = []
        for (r, rec) in records.enumerated() {
            guard let record = rec.ref.record else { continue }
            var texts: [(String, ContentID?)] = []
            if let t = record.source?.text { texts.append((t, nil)) }
            if let t = record.source?.translation { texts.append((t, nil)) }
            for id in recordIDs[r] {
                guard let seg = known[id] else { continue }
                if let k = texts.firstIndex(where: { $0.1 == nil && AuditText.normalize($0.0) == seg.text }) {
                    texts[k].1 = id
                } else if !texts.contains(where: { $0.1 == id }) {
                    texts.append((seg.text, id))
                }
            }
            for (text, id) in texts { sentences.append((Int32(r), text, id)) }
        }
        // A sentence several records share (templates and lexemes over one sentence) is folded,
        // shingled and indexed once: `distinct[k]` is the k-th distinct (text, id).
        struct TextKey: Hashable { var text: String; var id: ContentID? }
        var distinctOf: [TextKey: Int32] = [:]
        var distinct: [Int32] = []   // sentence index of each distinct text's first appearance
        var sentenceDistinct = [Int32](repeating: 0, count: sentences.count)
        for (k, sentence) in sentences.enumerated() {
            let key = TextKey(text: sentence.text, id: sentence.id)
            if let u = distinctOf[key] { sentenceDistinct[k] = u } else {
                let u = Int32(distinct.count)
                distinctOf[key] = u
                distinct.append(Int32(k))
                sentenceDistinct[k] = u
            }
        }
        distinctOf = [:]
        // Segment of each distinct text: -1 none yet, -2 no words.
        var segmentOfDistinct = [Int32](repeating: -1, count: distinct.count)
        var segmentFolded: [UInt64] = []
        var segmentFirst: [Int32] = []
        var moreRecords: [(segment: Int32, record: Int32)] = []
        // Folding, shingles and MinHash are the costly part, and independent per sentence:
        // computed on all cores, a block of distinct texts at a time so that only one block's
        // results are held.
        let block = 65_536
        var work: [SentenceWork] = []
        var workStart = 0
        // Answers: folded words, and whether they are specific enough to leak (on all cores).
        let answerWork = AnswerWork.compute(records.map { $0.ref.record?.answer }, options: options)
        var answerFrequency: [UInt64: Int] = [:]
        for w in answerWork where w.specific { answerFrequency[w.hash, default: 0] += 1 }

        func addToClosure(_ fh: UInt64, _ s: Int32, _ r32: Int32) {
            guard let root = translation.rootOfFolded[fh] else { return }
            let e: Int32
            if let known = entryOfRoot[root] { e = known } else {
                e = Int32(closures.count)
                entryOfRoot[root] = e
                closures.append(TranslationClosures.Entry(group: translation.groupOfRoot[root] ?? ContentID(high: 0, low: 0)))
            }
            if closures[Int(e)].records.last != r32 {
                closures[Int(e)].records.append(r32)
                closures[Int(e)].segments.append(s)
            }
        }

        /// A new segment from its work; `nil` when it has no words.
        func addSegment(_ w: SentenceWork, text: String, id: ContentID?, record r32: Int32) -> Int32? {
            guard !w.tokens.isEmpty, let fh = w.foldedHash else { return nil }
            let start = tokens.count
            tokens.append(contentsOf: w.tokens)
            let range = start..<tokens.count
            let s = Int32(segments.count)
            let shStart = shingles.count
            shingles.append(contentsOf: w.shingles)
            segments.append(EvalSegment(records: 0..<0, text: text, id: id, tokens: range, shingles: shStart..<shingles.count))
            segmentFolded.append(fh)
            segmentFirst.append(r32)
            foldedPairs.append((fh, s))
            if let id { idPairs.append((AuditText.idKey(id), s)) }
            addToClosure(fh, s, r32)
            // Passage anchors: the first `minimumNgramSize` words at every offset, so that a
            // 13-word run (from any offset), a short segment contained whole in training, and
            // a short training segment contained whole in this one are all found.
            let m = options.minimumNgramSize
            tokens.withUnsafeBufferPointer { all in
                if range.count >= m {
                    for off in 0...(range.count - m) {
                        anchorPairs.append((AuditText.anchorKey(AuditText.windowHash(all, range.lowerBound + off, m)),
                                            NGramAnchor(segment: s, offset: Int32(off), n: Int32(range.count))))
                    }
                }
            }
            for key in w.bandKeys { lshPairs.append(BandIndex.entry(key: key, sentence: s)) }
            return s
        }

        var next = 0
        var nextDistinct: Int32 = 0
        for (r, rec) in records.enumerated() {
            let r32 = Int32(r)
            guard let record = rec.ref.record else { continue }
            var seenFolded = Set<UInt64>()
            while next < sentences.count && sentences[next].record == r32 {
                let (text, id) = (sentences[next].text, sentences[next].id)
                let u = sentenceDistinct[next]
                next += 1
                let known = segmentOfDistinct[Int(u)]
                if known == -2 { continue }
                if known >= 0 {
                    // A sentence an earlier record has: this record joins its segment.
                    guard seenFolded.insert(segmentFolded[Int(known)]).inserted else { continue }
                    moreRecords.append((known, r32))
                    addToClosure(segmentFolded[Int(known)], known, r32)
                    continue
                }
                let w: SentenceWork
                if u == nextDistinct {
                    if Int(u) - workStart >= work.count {
                        workStart = Int(u)
                        work = SentenceWork.compute(distinct[Int(u)..<min(distinct.count, Int(u) + block)].map { sentences[Int($0)].text },
                                                    options: options, family: family)
                    }
                    w = work[Int(u) - workStart]
                    nextDistinct += 1
                } else {
                    // Met before but not indexed then (its record had the same folded text twice).
                    w = SentenceWork.compute([text], options: options, family: family)[0]
                }
                guard let fh = w.foldedHash, !w.tokens.isEmpty else { segmentOfDistinct[Int(u)] = -2; continue }
                guard seenFolded.insert(fh).inserted else { continue }
                if let s = addSegment(w, text: text, id: id, record: r32) { segmentOfDistinct[Int(u)] = s }
            }
            // Answers worth looking for: specific, and not a label many records share.
            let aw = answerWork[r]
            if !aw.tokens.isEmpty {
                if !aw.specific {
                    unspecificAnswers += 1
                } else if answerFrequency[aw.hash, default: 0] > options.answerMaximumRecords {
                    commonAnswers += 1
                } else {
                    let start = answerTokens.count
                    answerTokens.append(contentsOf: aw.tokens)
                    records[r].answerTokens = start..<answerTokens.count
                    let k = min(3, aw.tokens.count)
                    anchorLengths.insert(k)
                    answerTokens.withUnsafeBufferPointer { all in
                        answerPairs.append((Self.answerAnchorKey(all, start, k), r32))
                    }
                }
            }
            // Keys.
            for key in record.documents ?? [] { add(key, r32, to: &docIndex, &documents) }
            for id in recordIDs[r] {
                guard let seg = known[id] else { continue }
                for doc in seg.documents {
                    add(doc.key, r32, to: &docIndex, &documents)
                    storeDocuments[doc.storeID] = docIndex[doc.key]
                }
            }
            // A lexeme or consistency group ties training to held-out evaluation records only: a
            // supervised column's dev and test ask about the words its training asks about, which
            // is the skill they measure (DESIGN "Isolation"). Records without a role (another
            // tool's schema) are held to the strict rule.
            if record.role == nil || record.role == Role.heldout.rawValue {
                if let lexeme = record.target { add(AuditText.lexemeKey(lexeme), r32, to: &lexemeIndex, &lexemes) }
                if let group = record.consistencyGroup, !group.isEmpty { add(group, r32, to: &groupIndex, &groups) }
            }
        }

        // Each segment's records, ascending: its first, then those that joined it.
        do {
            var starts = [Int](repeating: 1, count: segments.count + 1)
            for m in moreRecords { starts[Int(m.segment) + 1] += 1 }
            starts[0] = 0
            for k in 0..<segments.count { starts[k + 1] += starts[k] }
            segmentRecords = [Int32](repeating: 0, count: starts[segments.count])
            var fill = starts
            for (k, first) in segmentFirst.enumerated() { segmentRecords[fill[k]] = first; fill[k] += 1 }
            for m in moreRecords { segmentRecords[fill[Int(m.segment)]] = m.record; fill[Int(m.segment)] += 1 }
            for k in segments.indices { segments[k].records = starts[k]..<starts[k + 1] }
        }
        moreRecords = []
        progress?("evaluation index: documents, maps")
        documentReads.wait()
        if let error = documentRows.error { throw error }
        var documentSegmentPairs: [(key: UInt64, value: Int32)] = []
        documentSegmentPairs.reserveCapacity(documentRows.rows.count)
        for (docID, key) in documentRows.rows {
            if let d = storeDocuments[docID] { documentSegmentPairs.append((key, d)) }
        }
        documentRows.rows = []

        // What the maps are built from goes as each is built: the LSH pairs alone are ~300 MB
        // for 300k evaluation records.
        known = [:]
        sentences = []
        // Translation closures: only those that hold evaluation segments are kept.
        var closureFolded: [(key: UInt64, value: Int32)] = []
        for (h, root) in translation.rootOfFolded {
            guard let e = entryOfRoot[root], let id = translation.segmentOfFolded[h] else { continue }
            closureFolded.append((h, Int32(closureFoldedEntry.count)))
            closureFoldedEntry.append(e)
            closureFoldedSegment.append(id)
        }
        var closureID: [(key: UInt64, value: Int32)] = []
        for (id, h) in translation.grouped {
            guard let root = translation.rootOfFolded[h], let e = entryOfRoot[root] else { continue }
            closureID.append((AuditText.idKey(id), Int32(closureIDs.count)))
            closureIDs.append(id)
            closureIDEntry.append(e)
            closureIDFolded.append(h)
        }
        translation = TranslationClosures()
        work = []
        // (Moved out of the variables the local functions above captured, so that each array
        // has one owner and goes as its map is built.)
        let foldedList = foldedPairs, idList = idPairs, anchorList = anchorPairs, lshList = lshPairs
        (foldedPairs, idPairs, anchorPairs, lshPairs) = ([], [], [], [])
        folded = HashMultiMap(consume foldedList)
        ids = HashMultiMap(consume idList)
        namedIDs = HashMultiMap(consume namedPairs)
        anchors = HashMultiMap(consume anchorList)
        lsh = BandIndex(consume lshList)
        answers = HashMultiMap(consume answerPairs)
        answerAnchorLengths = anchorLengths.sorted()
        closureByFolded = HashMultiMap(closureFolded)
        closureByID = HashMultiMap(closureID)
        documentsBySegment = HashMultiMap(documentSegmentPairs)
        documentsByKey = HashMultiMap(documents.enumerated().map { (Hash64.string($0.element.key, salt: Hash64.saltDocument), Int32($0.offset)) })
        lexemesByKey = HashMultiMap(lexemes.enumerated().map { (Hash64.string($0.element.key, salt: Hash64.saltLexeme), Int32($0.offset)) })
        groupsByKey = HashMultiMap(groups.enumerated().map { (Hash64.string($0.element.key, salt: Hash64.saltConsistency), Int32($0.offset)) })
    }

    /// The key entry of `key` in one of the key maps, checking the string (hashes can collide).
    func entry(_ key: String, in map: HashMultiMap<Int32>, _ entries: [KeyEntry], salt: UInt64) -> Int32? {
        for k in map[Hash64.string(key, salt: salt)] where entries[Int(k)].key == key { return k }
        return nil
    }
}

/// What the index keeps of one evaluation sentence, computed on several threads.
struct SentenceWork: Sendable {
    var tokens: [UInt64] = []
    /// Hash of the folded words (`nil`: no words).
    var foldedHash: UInt64?
    var shingles: [UInt64] = []
    /// LSH band keys; empty when the sentence has too few shingles for MinHash to mean anything.
    var bandKeys: [UInt64] = []

    static func compute(_ texts: [String], options: AuditOptions, family: MinHashSignature.Family) -> [SentenceWork] {
        parallelFold(texts) { folder, text in
            var w = SentenceWork()
            folder.tokens(text, into: &w.tokens)
            guard !w.tokens.isEmpty else { return w }
            w.foldedHash = Hash64.sequence(w.tokens, salt: Hash64.saltFolded)
            w.shingles = Shingles.of(text, tokens: w.tokens[...], folder: folder, options: options)
            if w.shingles.count >= options.minimumShingles {
                w.bandKeys = family.signature(of: w.shingles).bandKeys(bands: options.minhashBands, rows: options.minhashRows)
            }
            return w
        }
    }

    /// The folded-text hash of each text (`nil`: no words), as ``compute`` would give it.
    static func foldedHashes(_ texts: [String]) -> [UInt64?] {
        parallelFold(texts) { folder, text in
            let tokens = folder.tokens(text)
            return tokens.isEmpty ? nil : Hash64.sequence(tokens, salt: Hash64.saltFolded)
        }
    }

    /// `transform` over `texts` on all cores with one folder per chunk; results in order.
    private static func parallelFold<T: Sendable>(_ texts: [String], _ transform: @Sendable (TextFolder, String) -> T) -> [T] {
        parallelMap(texts, context: { TextFolder() }, transform)
    }
}

/// `transform` over `items` in fixed chunks on all cores, each chunk with its own `context`
/// (a folder, a scratch buffer); results in input order, whatever the thread count.
func parallelMap<Item: Sendable, Context, T: Sendable>(_ items: [Item], chunk: Int = 2048, context: @Sendable () -> Context,
                                                       _ transform: @Sendable (Context, Item) -> T) -> [T] {
    let chunks = (items.count + chunk - 1) / chunk
    var parts = [[T]](repeating: [], count: chunks)
    parts.withUnsafeMutableBufferPointer { buffer in
        let base = SendablePointer(buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let local = context()
            base.pointer[c] = items[(c * chunk)..<min(items.count, (c + 1) * chunk)].map { transform(local, $0) }
        }
    }
    return parts.flatMap { $0 }
}

func parallelMap<Item: Sendable, T: Sendable>(_ items: [Item], _ transform: @Sendable (Item) -> T) -> [T] {
    parallelMap(items, context: { () }) { _, item in transform(item) }
}

/// Rows read on a background thread, handed over after `DispatchGroup.wait()`.
private final class BackgroundRows: @unchecked Sendable {
    var rows: [(document: Int64, segmentKey: UInt64)] = []
    var error: Error?
}
