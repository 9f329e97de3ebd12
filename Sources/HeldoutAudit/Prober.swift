import Foundation
import HeldoutCore

/// What one thread found; merged with the others' at the end (order-free, since every list
/// is sorted before it is reported).
struct Findings {
    struct PairKey: Hashable { var training: String; var evaluation: String; var rule: LeakRule }
    struct KeyHit: Hashable { var rule: LeakRule; var entry: Int32; var column: String }
    /// Records of one side sharing a key: how many, the smallest (by key, file, line) and what
    /// it matched (`detail`: the training segment of a translation, the text quoting an answer).
    struct KeyAggregate { var count: Int; var example: RecordRef; var detail: String? }
    struct HistogramKey: Hashable { var field: String; var column: String; var partition: String; var value: String }

    var leaks: [LeakRule: [Leak]] = [:]
    var pairCounts: [PairKey: Int] = [:]
    var keyHits: [KeyHit: KeyAggregate] = [:]
    var histograms: [HistogramKey: Int] = [:]
    var records: [String: Int] = [:]
    /// Per evaluation segment, the highest Jaccard similarity of a training segment the
    /// near-duplicate probe compared it with (1 for the same folded text); -1 when none was
    /// compared. Max is order-free, so threads merge it in any order.
    var nearest: [Float] = []
    /// Distinct short answers seen per column, until there are more than
    /// ``Audit/maximumLabels``; then the column's labels are folded into one value here and
    /// now, so memory stays flat on a million distinct glosses (the report folds the same way,
    /// so the result does not depend on which thread saw what).
    var labelValues: [String: Set<String>] = [:]
    var foldedLabels: Set<String> = []
    static let manyLabels = "(many distinct answers)"
    let cap: Int

    init(cap: Int) { self.cap = cap }

    mutating func add(_ leak: Leak) {
        pairCounts[PairKey(training: leak.training.column, evaluation: leak.evaluation.column, rule: leak.rule), default: 0] += 1
        leaks[leak.rule, default: []].append(leak)
        if let n = leaks[leak.rule]?.count, cap < Int.max / 4, n > 2 * cap + 1024 { prune(leak.rule) }
    }

    /// Keeps the `cap` first leaks of a rule in report order: the same ones whatever order
    /// the threads met them in.
    mutating func prune(_ rule: LeakRule) {
        guard var list = leaks[rule], list.count > cap else { return }
        list.sort(by: Leak.ordered)
        list.removeLast(list.count - cap)
        leaks[rule] = list
    }

    mutating func hitKey(_ hit: KeyHit, _ ref: @autoclosure () -> RecordRef, detail: String? = nil) {
        if var agg = keyHits[hit] {
            agg.count += 1
            let r = ref()
            if (r.key, r.file, r.line) < (agg.example.key, agg.example.file, agg.example.line) {
                agg.example = r
                agg.detail = detail
            }
            keyHits[hit] = agg
        } else {
            keyHits[hit] = KeyAggregate(count: 1, example: ref(), detail: detail)
        }
    }

    mutating func count(_ record: DatasetRecord, column: String, partition: String) {
        func add(_ field: String, _ value: String) {
            histograms[HistogramKey(field: field, column: column, partition: partition, value: value), default: 0] += 1
        }
        add("band", record.band ?? "(none)")
        add("domain", record.domain ?? "(none)")
        add("category", record.category ?? "(none)")
        add("pair", record.pair ?? "(none)")
        add("question_words", Self.lengthBucket(record.question))
        add("answer_words", Self.lengthBucket(record.answer))
        // Label balance: short gold answers (a tone class, a tense, a yes/no) counted by value;
        // long ones are free text, counted as one value. Columns with many distinct short answers
        // (glosses) are folded away when the report is made.
        if let answer = record.answer, answer.utf8.count <= Self.labelBytes {
            if foldedLabels.contains(column) {
                add("label", Self.manyLabels)
            } else {
                add("label", answer)
                labelValues[column, default: []].insert(answer)
                if (labelValues[column]?.count ?? 0) > Audit.maximumLabels { foldLabels(of: column) }
            }
        } else {
            add("label", record.answer == nil ? "(no gold answer)" : "(free text)")
        }
    }

    /// Moves every short-answer count of `column` into ``manyLabels``.
    mutating func foldLabels(of column: String) {
        foldedLabels.insert(column)
        labelValues[column] = nil
        for (key, n) in histograms where key.field == "label" && key.column == column && !key.value.hasPrefix("(") {
            histograms[key] = nil
            var folded = key
            folded.value = Self.manyLabels
            histograms[folded, default: 0] += n
        }
    }

    /// Gold answers of at most this many bytes are candidate labels.
    static let labelBytes = 32

    /// Words of a text, bucketed: 0, 1–5, 6–10, 11–20, 21–40, 41+.
    static func lengthBucket(_ text: String?) -> String {
        guard let text else { return "(none)" }
        var words = 0, inWord = false
        for b in text.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09
            if !space && !inWord { words += 1 }
            inWord = !space
        }
        switch words {
        case 0: return "0"
        case 1...5: return "01-05"
        case 6...10: return "06-10"
        case 11...20: return "11-20"
        case 21...40: return "21-40"
        default: return "41+"
        }
    }

    mutating func merge(_ other: Findings) {
        for (rule, list) in other.leaks {
            leaks[rule, default: []].append(contentsOf: list)
            prune(rule)
        }
        pairCounts.merge(other.pairCounts, uniquingKeysWith: +)
        for (hit, agg) in other.keyHits {
            if let mine = keyHits[hit] {
                let better = (agg.example.key, agg.example.file, agg.example.line) < (mine.example.key, mine.example.file, mine.example.line)
                keyHits[hit] = KeyAggregate(count: mine.count + agg.count, example: better ? agg.example : mine.example,
                                            detail: better ? agg.detail : mine.detail)
            } else {
                keyHits[hit] = agg
            }
        }
        histograms.merge(other.histograms, uniquingKeysWith: +)
        records.merge(other.records, uniquingKeysWith: +)
        if nearest.isEmpty {
            nearest = other.nearest
        } else if nearest.count == other.nearest.count {
            for k in nearest.indices where other.nearest[k] > nearest[k] { nearest[k] = other.nearest[k] }
        }
    }
}

/// Streams training (or outside) records past the ``EvaluationIndex``. One per thread: it owns
/// its text folder, scratch buffers and findings.
final class Prober {
    let index: EvaluationIndex
    let policy: AuditPolicy
    let folder = TextFolder()
    var findings: Findings
    private var tokens: [UInt64] = []
    /// The strongest text rule so far and its evidence, per evaluation record, for the record
    /// being probed.
    private var hits: [Int32: (rule: LeakRule, evidence: Evidence)] = [:]
    /// Translation closures the record being probed reaches (entry → its segment id), and
    /// evaluation answers it quotes (record → the quoting text).
    private var translationHits: [Int32: String] = [:]
    private var answerHits: [Int32: String] = [:]
    /// Folded texts of the record being probed that are evaluation segments, reported by an
    /// enforced segment rule: their closure is not counted again as a translation.
    private var copiedFolded: Set<UInt64> = []
    /// Where each text rule stands: enforced rules first, then strongest first.
    private let textRank: [LeakRule: Int]
    private let segmentRulesEnforced: Bool

    // Local copies of the hot indexes (they share storage with the index's): reading them
    // through the class on every lookup costs a retain and release each time.
    private let folded: HashMultiMap<Int32>
    private let anchors: HashMultiMap<NGramAnchor>
    private let lsh: BandIndex
    private let answers: HashMultiMap<Int32>
    private let evalTokens: [UInt64]
    private let evalShingles: [UInt64]
    private let evalAnswerTokens: [UInt64]
    private let segments: [EvalSegment]
    private let segmentRecords: [Int32]

    init(index: EvaluationIndex, policy: AuditPolicy, clean: CleanTexts = CleanTexts()) {
        self.index = index
        self.clean = clean
        folded = index.folded
        anchors = index.anchors
        lsh = index.lsh
        answers = index.answers
        evalTokens = index.tokens
        evalShingles = index.shingles
        evalAnswerTokens = index.answerTokens
        segments = index.segments
        segmentRecords = index.segmentRecords
        self.policy = policy
        findings = Findings(cap: index.options.maxListedLeaksPerRule)
        findings.nearest = [Float](repeating: -1, count: index.segments.count)
        let ladder: [LeakRule] = [.exactSegment, .foldedSegment, .nearDuplicate, .sharedPassage, .ngramOverlap]
        var rank: [LeakRule: Int] = [:]
        for (k, rule) in ladder.enumerated() { rank[rule] = (policy.isEnforced(rule) ? 0 : ladder.count) + k }
        textRank = rank
        segmentRulesEnforced = policy.isEnforced(.exactSegment) || policy.isEnforced(.foldedSegment)
    }

    // MARK: - Entry points

    /// A training record of the audited directory.
    func probe(record: DatasetRecord, file: String, line: Int) {
        let column = record.column ?? "(none)"
        findings.count(record, column: column, partition: "train")
        resetRecord()
        var content: [String] = []
        if let t = record.source?.text { content.append(t) }
        if let t = record.source?.translation { content.append(t) }
        for text in content { probeSentence(text, passage: .sharedPassage, cache: true) }
        var other: [String] = []
        if let q = record.question { other.append(q) }
        if let a = record.answer { other.append(a) }
        if record.question == nil, let messages = record.messages {
            other.append(contentsOf: messages.compactMap(\.content))
        }
        for text in other { probeContained(text, answers: true, cache: true) }
        probeIDs(record)
        var ref: RecordRef?
        func makeRef() -> RecordRef {
            if let ref { return ref }
            let r = RecordRef(file: file, line: line, column: column, partition: "train", record: record, text: nil)
            ref = r
            return r
        }
        probeKeys(record, column: column, makeRef)
        flush(makeRef)
    }

    /// A record of outside data (`--against`): only its texts.
    func probe(outside texts: [String], file: String, line: Int, column: String) {
        resetRecord()
        for text in texts {
            probeSentence(text, passage: .ngramOverlap, cache: false)
            // `tokens` still holds the sentence's words.
            if !tokens.isEmpty { scanAnswers(text) }
        }
        flush { RecordRef(file: file, line: line, column: column, partition: "against", record: nil,
                          text: AuditText.excerpt(texts.joined(separator: " | "), limit: 2000)) }
    }

    // MARK: - Detectors

    private func resetRecord() {
        hits.removeAll(keepingCapacity: true)
        translationHits.removeAll(keepingCapacity: true)
        answerHits.removeAll(keepingCapacity: true)
        copiedFolded.removeAll(keepingCapacity: true)
    }

    /// A segment of training (or a text of outside data): exact/folded, its translation
    /// closure, passages (`passage`: `shared_passage` for a training segment, which is checked
    /// both ways; `ngram_overlap` for outside text, checked for evaluation passages inside it),
    /// near-duplicates.
    private func probeSentence(_ text: String, passage: LeakRule, cache: Bool) {
        let key = Hash64.string(text, salt: passage == .sharedPassage ? 0x5e9 : 0x5ea)
        if cache && clean.contains(key) { return }
        candidates = false
        defer { if cache && !candidates { remember(key) } }
        tokens.removeAll(keepingCapacity: true)
        folder.tokens(text, into: &tokens)
        guard !tokens.isEmpty else { return }
        let fh = Hash64.sequence(tokens, salt: Hash64.saltFolded)
        var copied = false
        if folded.contains(fh) || index.closureByFolded.contains(fh) { candidates = true }
        for s in folded[fh] {
            let seg = segments[Int(s)]
            guard evalTokens[seg.tokens].elementsEqual(tokens) else { continue }
            let exact = AuditText.normalize(text) == AuditText.normalize(seg.text)
            findings.nearest[Int(s)] = 1
            var e = Evidence()
            e.trainingText = text
            e.evaluationText = seg.text
            e.segment = seg.id?.hex
            for r in segmentRecords[seg.records] { note(r, exact ? .exactSegment : .foldedSegment, e) }
            copied = true
        }
        if copied && segmentRulesEnforced { copiedFolded.insert(fh) }
        if !(copied && segmentRulesEnforced) {
            for k in index.closureByFolded[fh] where translationHits[index.closureFoldedEntry[Int(k)]] == nil {
                translationHits[index.closureFoldedEntry[Int(k)]] = index.closureFoldedSegment[Int(k)].hex
            }
        }
        scanPassages(text, rule: passage)
        nearDuplicates(text)
    }

    /// Text that may contain evaluation material (a question, an answer, outside text):
    /// n-grams, and evaluation answers quoted verbatim.
    private func probeContained(_ text: String, answers: Bool, cache: Bool) {
        let key = Hash64.string(text, salt: answers ? 0x5eb : 0x5ec)
        if cache && clean.contains(key) { return }
        candidates = false
        defer { if cache && !candidates { remember(key) } }
        tokens.removeAll(keepingCapacity: true)
        folder.tokens(text, into: &tokens)
        guard !tokens.isEmpty else { return }
        scanPassages(text, rule: .ngramOverlap)
        if answers { scanAnswers(text) }
    }

    /// Passages: a rolling hash of every `minimumNgramSize`-word window of `tokens` looks up
    /// the evaluation anchors (the same window at every offset of every evaluation segment);
    /// each hit is confirmed word by word as one of
    /// - a shared run of `ngramSize` words;
    /// - the whole evaluation segment (≥ `minimumNgramSize` words) inside this text;
    /// - for `shared_passage` only: this whole text (a training segment of at least
    ///   `minimumNgramSize` words) inside the evaluation segment.
    private func scanPassages(_ text: String, rule: LeakRule) {
        let m = index.options.minimumNgramSize
        guard tokens.count >= m, !anchors.isEmpty else { return }
        let top = AuditText.power(m - 1)
        tokens.withUnsafeBufferPointer { tok in
            var h = AuditText.windowHash(tok, 0, m)
            var s = 0
            while true {
                let range = anchors.range(of: AuditText.anchorKey(h))
                if !range.isEmpty {
                    candidates = true
                    confirmPassages(range, at: s, text: text, tok, rule: rule)
                }
                if s + m >= tok.count { break }
                h = (h &- tok[s] &* top) &* AuditText.rollingBase &+ tok[s + m]
                s += 1
            }
        }
    }

    private func confirmPassages(_ range: Range<Int>, at s: Int, text: String, _ tok: UnsafeBufferPointer<UInt64>, rule: LeakRule) {
        let n = index.options.ngramSize
        let myRank = textRank[rule] ?? 99
        for i in range {
            let a = anchors.values[i]
            let seg = segments[Int(a.segment)]
            // A rule already found for a pair that ranks at least as high wins.
            let open = segmentRecords[seg.records].contains { r in hits[r].map { (textRank[$0.rule] ?? 99) > myRank } ?? true }
            if !open { continue }
            let off = Int(a.offset)
            let evalLength = Int(a.n)
            let evalStart = seg.tokens.lowerBound + off
            // The longest common run from here, up to what any of the three cases needs.
            let limit = min(tok.count - s, evalLength - off)
            var run = 0
            while run < limit && evalTokens[evalStart + run] == tok[s + run] { run += 1 }
            guard run >= index.options.minimumNgramSize else { continue }
            let length: Int
            if run >= n {
                length = n
            } else if off == 0 && run == evalLength {
                length = evalLength  // the evaluation segment whole, inside this text
            } else if rule == .sharedPassage && s == 0 && run == tok.count {
                length = tok.count   // this training segment whole, inside the evaluation segment
            } else {
                continue
            }
            var e = Evidence()
            e.trainingText = AuditText.excerpt(text)
            e.evaluationText = seg.text
            e.segment = seg.id?.hex
            let words = folder.words(seg.text)
            if off + length <= words.count { e.ngram = words[off..<(off + length)].joined(separator: " ") }
            e.n = length
            for r in segmentRecords[seg.records] { note(r, rule, e) }
        }
    }

    /// MinHash + LSH candidates, each confirmed by exact Jaccard of shingles.
    private func nearDuplicates(_ text: String) {
        guard !lsh.isEmpty else { return }
        let sh = Shingles.of(text, tokens: tokens[...], folder: folder, options: index.options)
        guard sh.count >= index.options.minimumShingles else { return }
        let keys = index.family.signature(of: sh).bandKeys(bands: index.options.minhashBands, rows: index.options.minhashRows)
        seen.removeAll(keepingCapacity: true)
        for key in keys {
            // Candidates are few: a linear check beats hashing.
            lsh.forEach(key) { s in if !seen.contains(s) { seen.append(s) } }
        }
        if !seen.isEmpty { candidates = true }
        for s in seen {
                let seg = segments[Int(s)]
                let j = Shingles.jaccard(sh[...], evalShingles[seg.shingles])
                if Float(j) > findings.nearest[Int(s)] { findings.nearest[Int(s)] = Float(j) }
                guard j >= index.threshold else { continue }
                var e = Evidence()
                e.trainingText = text
                e.evaluationText = seg.text
                e.segment = seg.id?.hex
                let rounded = (j * 10_000).rounded() / 10_000
                e.jaccard = rounded
                for r in segmentRecords[seg.records] {
                    if let existing = hits[r], existing.rule == .nearDuplicate, let old = existing.evidence.jaccard, old >= rounded {
                        continue
                    }
                    note(r, .nearDuplicate, e, replaceSameRule: true)
                }
        }
    }

    /// Evaluation answers verbatim (as folded words) in `tokens`.
    private func scanAnswers(_ text: String) {
        guard !answers.isEmpty else { return }
        tokens.withUnsafeBufferPointer { tok in
            evalAnswerTokens.withUnsafeBufferPointer { ans in
                for k in index.answerAnchorLengths where tok.count >= k {
                    for s in 0...(tok.count - k) {
                        let range = answers.range(of: EvaluationIndex.answerAnchorKey(tok, s, k))
                        if !range.isEmpty { candidates = true }
                        for i in range {
                            let r = answers.values[i]
                            guard answerHits[r] == nil, let range = index.records[Int(r)].answerTokens,
                                  min(3, range.count) == k, s + range.count <= tok.count else { continue }
                            var equal = true
                            for (o, i) in range.enumerated() where ans[i] != tok[s + o] { equal = false; break }
                            guard equal else { continue }
                            answerHits[r] = AuditText.excerpt(text)
                        }
                    }
                }
            }
        }
    }

    /// Segment ids: shared segments, translations by id, documents through the store.
    private func probeIDs(_ record: DatasetRecord) {
        guard index.needsTrainingSegmentIDs else { return }
        var list: [ContentID] = []
        for hex in record.segments ?? [] { if let id = ContentID(hex: hex.lowercased()) { list.append(id) } }
        let sourceLang = record.source?.lang.flatMap(LanguageTag.init)
        if let lang = sourceLang, let text = record.source?.text { list.append(AuditText.segmentID(lang: lang, text: text)) }
        if let lang = AuditText.translationLanguage(pair: record.pair, source: sourceLang), let text = record.source?.translation {
            list.append(AuditText.segmentID(lang: lang, text: text))
        }
        for id in list {
            let key = AuditText.idKey(id)
            for s in index.ids[key] {
                let seg = index.segments[Int(s)]
                guard seg.id == id else { continue }
                var e = Evidence()
                e.segment = id.hex
                e.evaluationText = seg.text
                e.trainingText = record.source?.text
                for r in segmentRecords[seg.records] { note(r, .exactSegment, e) }
            }
            for r in index.namedIDs[key] where hits[r]?.rule != .exactSegment {
                guard index.records[Int(r)].ref.record?.segments?.contains(where: { ContentID(hex: $0.lowercased()) == id }) == true else { continue }
                var e = Evidence()
                e.segment = id.hex
                e.trainingText = record.source?.text
                e.evaluationText = index.records[Int(r)].ref.record?.source?.text
                note(r, .exactSegment, e)
            }
            for k in index.closureByID[key] where index.closureIDs[Int(k)] == id && !copiedFolded.contains(index.closureIDFolded[Int(k)]) {
                let entry = index.closureIDEntry[Int(k)]
                if translationHits[entry] == nil { translationHits[entry] = id.hex }
            }
            for d in index.documentsBySegment[key] { storeDocumentHits.insert(d) }
        }
    }

    /// Texts (by a hash of their raw bytes and how they were probed) this prober has already
    /// probed and found no candidate at all in: probing them again would find nothing either.
    /// Several items (templates, lexemes) are built on one sentence and land on one side, so
    /// training repeats its sentences many times; this skips folding, n-gram scans and MinHash
    /// for the repeats. Shared by the threads of one file (a repeat is often on another thread).
    private let clean: CleanTexts
    /// Whether the text being probed met any candidate (anchor, folded match, closure, LSH
    /// bucket, answer anchor), confirmed or not.
    private var candidates = false

    private func remember(_ key: UInt64) { clean.insert(key) }

    private var storeDocumentHits: Set<Int32> = []
    private var seen: [Int32] = []

    /// Documents, lexemes, consistency groups: aggregated per key.
    private func probeKeys(_ record: DatasetRecord, column: String, _ ref: () -> RecordRef) {
        var docs = storeDocumentHits
        storeDocumentHits.removeAll(keepingCapacity: true)
        for key in record.documents ?? [] {
            if let d = index.entry(key, in: index.documentsByKey, index.documents, salt: Hash64.saltDocument) { docs.insert(d) }
        }
        for d in docs { findings.hitKey(.init(rule: .sameDocument, entry: d, column: column), ref()) }
        if let lexeme = record.target,
           let l = index.entry(AuditText.lexemeKey(lexeme), in: index.lexemesByKey, index.lexemes, salt: Hash64.saltLexeme) {
            findings.hitKey(.init(rule: .sameLexeme, entry: l, column: column), ref())
        }
        if let group = record.consistencyGroup, !group.isEmpty,
           let g = index.entry(group, in: index.groupsByKey, index.groups, salt: Hash64.saltConsistency) {
            findings.hitKey(.init(rule: .consistencyGroup, entry: g, column: column), ref())
        }
    }

    // MARK: - Bookkeeping

    /// Records a text rule for an evaluation record, keeping the highest ranked (enforced
    /// first, then strongest; ties: the first, or the new one with `replaceSameRule`).
    private func note(_ record: Int32, _ rule: LeakRule, _ e: Evidence, replaceSameRule: Bool = false) {
        if let old = hits[record] {
            let (a, b) = (textRank[rule] ?? 99, textRank[old.rule] ?? 99)
            if a > b || (a == b && !replaceSameRule) { return }
        }
        hits[record] = (rule, e)
    }

    /// Pair leaks of the record just probed; its translation closures and quoted answers go
    /// to the per-key aggregates.
    private func flush(_ ref: () -> RecordRef) {
        guard !hits.isEmpty || !translationHits.isEmpty || !answerHits.isEmpty else { return }
        let training = ref()
        for (r, h) in hits {
            let evaluation = index.records[Int(r)].ref
            findings.add(Leak(rule: h.rule, enforced: policy.isEnforced(h.rule), training: training, evaluation: evaluation, evidence: h.evidence))
        }
        for (entry, segment) in translationHits {
            findings.hitKey(.init(rule: .translation, entry: entry, column: training.column), training, detail: segment)
        }
        for (r, text) in answerHits {
            findings.hitKey(.init(rule: .answerLeak, entry: r, column: training.column), training, detail: text)
        }
        resetRecord()
    }
}

/// Hashes of texts probed without meeting any candidate, shared by the threads that stream one
/// file: in shards, each behind its own lock, so that two threads rarely wait on each other.
/// Bounded: a shard is emptied when it holds `limit` texts (forgetting costs only a re-probe).
final class CleanTexts: @unchecked Sendable {
    private final class Shard {
        let lock = NSLock()
        var set: Set<UInt64> = []
    }
    private let shards = (0..<64).map { _ in Shard() }
    private let limit = 1 << 16

    func contains(_ key: UInt64) -> Bool {
        let shard = shards[Int(key >> 58)]
        shard.lock.lock()
        defer { shard.lock.unlock() }
        return shard.set.contains(key)
    }

    func insert(_ key: UInt64) {
        let shard = shards[Int(key >> 58)]
        shard.lock.lock()
        defer { shard.lock.unlock() }
        if shard.set.count >= limit { shard.set.removeAll(keepingCapacity: true) }
        shard.set.insert(key)
    }
}
