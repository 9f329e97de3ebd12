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
struct EvalSegment: Sendable {
    var record: Int32
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

/// A translation of an evaluation segment (through the store's alignment groups).
struct TranslationMember: Sendable {
    var record: Int32
    var evalSegment: ContentID
    var evalText: String
    var member: AuditSegment
}

/// A key shared by records (document, lexeme, consistency group) and its evaluation records.
struct KeyEntry: Sendable {
    var key: String
    var records: [Int32]
}

/// Everything known about the evaluation side, indexed by the audit's own 64-bit hashes:
/// folded sentences, segment ids, n-gram anchors, MinHash bands, translations, documents,
/// lexemes, consistency groups and answers. Built once; read by every thread that streams
/// training records past it.
final class EvaluationIndex: @unchecked Sendable {
    let options: AuditOptions
    let threshold: Double
    private(set) var records: [EvalRecord] = []
    private(set) var segments: [EvalSegment] = []
    private(set) var tokens: [UInt64] = []
    private(set) var shingles: [UInt64] = []
    private(set) var answerTokens: [UInt64] = []

    private(set) var folded = HashMultiMap<Int32>([])
    private(set) var ids = HashMultiMap<Int32>([])
    /// Segment ids records name in `segments` → record (with or without a store).
    private(set) var namedIDs = HashMultiMap<Int32>([])
    private(set) var anchors = HashMultiMap<NGramAnchor>([])
    private(set) var lsh = BandIndex([])
    private(set) var translationsByText = HashMultiMap<Int32>([])
    private(set) var translationsByID = HashMultiMap<Int32>([])
    private(set) var translations: [TranslationMember] = []
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

    var needsTrainingSegmentIDs: Bool { !ids.isEmpty || !namedIDs.isEmpty || !translationsByID.isEmpty || !documentsBySegment.isEmpty }

    static func answerAnchorKey(_ tokens: UnsafeBufferPointer<UInt64>, _ start: Int, _ k: Int) -> UInt64 {
        Hash64.sequence(tokens[start..<(start + k)], salt: Hash64.saltAnchor &+ 0x100)
    }

    /// Builds the index from the evaluation records, with the store when there is one.
    func build(_ input: [EvalRecord], store: Store?) throws {
        records = input
        let folder = TextFolder()
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
        var members: [ContentID: [AuditSegment]] = [:]
        if let store {
            known = try store.auditSegments(recordIDs.flatMap { $0 })
            members = try store.auditGroupMembers(known.values.compactMap(\.group))
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

        var translationText: [(key: UInt64, value: Int32)] = []
        var translationID: [(key: UInt64, value: Int32)] = []

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
        // Folding, shingles and MinHash are the costly part, and independent per sentence:
        // computed on all cores, a block at a time so that only one block's results are held.
        let block = 65_536
        var work: [SentenceWork] = []
        var workStart = 0
        // Translations' folded texts, once per distinct member.
        var memberFolded: [ContentID: UInt64?] = [:]
        do {
            var distinct: [AuditSegment] = []
            var seen = Set<ContentID>()
            for list in members.values { for m in list where seen.insert(m.id).inserted { distinct.append(m) } }
            distinct.sort { $0.id < $1.id }
            let hashes = SentenceWork.foldedHashes(distinct.map(\.text))
            for (m, h) in zip(distinct, hashes) { memberFolded[m.id] = h }
        }

        var next = 0
        for (r, rec) in records.enumerated() {
            let r32 = Int32(r)
            guard let record = rec.ref.record else { continue }
            var seenFolded = Set<UInt64>()
            while next < sentences.count && sentences[next].record == r32 {
                let (text, id) = (sentences[next].text, sentences[next].id)
                if next - workStart >= work.count {
                    workStart = next
                    work = SentenceWork.compute(sentences[next..<min(sentences.count, next + block)].map(\.text),
                                                options: options, family: family)
                }
                let w = work[next - workStart]
                next += 1
                guard !w.tokens.isEmpty, let fh = w.foldedHash else { continue }
                guard seenFolded.insert(fh).inserted else { continue }
                let start = tokens.count
                tokens.append(contentsOf: w.tokens)
                let range = start..<tokens.count
                let s = Int32(segments.count)
                let shStart = shingles.count
                shingles.append(contentsOf: w.shingles)
                segments.append(EvalSegment(record: r32, text: text, id: id, tokens: range, shingles: shStart..<shingles.count))
                foldedPairs.append((fh, s))
                if let id { idPairs.append((AuditText.idKey(id), s)) }
                // n-gram anchors: the first `minimumNgramSize` words of every n-gram.
                let n = options.ngramSize, m = options.minimumNgramSize
                tokens.withUnsafeBufferPointer { all in
                    if range.count >= n {
                        for off in 0...(range.count - n) {
                            anchorPairs.append((AuditText.anchorKey(AuditText.windowHash(all, range.lowerBound + off, m)),
                                                NGramAnchor(segment: s, offset: Int32(off), n: Int32(n))))
                        }
                    } else if range.count >= m {
                        anchorPairs.append((AuditText.anchorKey(AuditText.windowHash(all, range.lowerBound, m)),
                                            NGramAnchor(segment: s, offset: 0, n: Int32(range.count))))
                    }
                }
                for key in w.bandKeys { lshPairs.append(BandIndex.entry(key: key, sentence: s)) }
            }
            // Answers worth looking for.
            if let answer = record.answer {
                let start = answerTokens.count
                folder.tokens(answer, into: &answerTokens)
                let count = answerTokens.count - start
                let longEnough = count >= options.answerMinimumWords
                    || (count >= 1 && folder.folded(answer).count >= options.answerMinimumCharacters)
                if count > 0 && longEnough {
                    records[r].answerTokens = start..<answerTokens.count
                    let k = min(3, count)
                    anchorLengths.insert(k)
                    answerTokens.withUnsafeBufferPointer { all in
                        answerPairs.append((Self.answerAnchorKey(all, start, k), r32))
                    }
                } else {
                    answerTokens.removeLast(count)
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
                // Translations: the other members of the segment's alignment group.
                guard let group = seg.group else { continue }
                for member in members[group] ?? [] where member.id != id && !recordIDs[r].contains(member.id) {
                    let t = Int32(translations.count)
                    translations.append(TranslationMember(record: r32, evalSegment: id, evalText: seg.text, member: member))
                    if let h = memberFolded[member.id] ?? nil { translationText.append((h, t)) }
                    translationID.append((AuditText.idKey(member.id), t))
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
        members = [:]
        memberFolded = [:]
        sentences = []
        work = []
        folded = HashMultiMap(consume foldedPairs)
        ids = HashMultiMap(consume idPairs)
        namedIDs = HashMultiMap(consume namedPairs)
        anchors = HashMultiMap(consume anchorPairs)
        lsh = BandIndex(consume lshPairs)
        answers = HashMultiMap(consume answerPairs)
        answerAnchorLengths = anchorLengths.sorted()
        translationsByText = HashMultiMap(translationText)
        translationsByID = HashMultiMap(translationID)
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
