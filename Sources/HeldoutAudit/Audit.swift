import Foundation
import HeldoutCore
import HeldoutStore

/// The leak audit: re-derives, by its own indexes, every way an evaluation record
/// can have reached training, and reports each leak with both records.
///
/// The pipeline's audit seam (HeldoutBuild's `IndependentAudit`) runs it on the directory the
/// splitter is about to publish, and the splitter refuses its output when an enforced leak is
/// found; `heldout audit` runs it on any split directory:
///
/// ```swift
/// let report = try Audit.run(directory: tmp, store: store)
/// try Audit.write(report, to: tmp)          // audit.json + audit.html
/// guard report.clean else { throw HeldoutError.checkFailed(AuditSummary.text(report)) }
/// ```
///
/// Files: `train.jsonl` is training; `dev.jsonl` and `test.jsonl` are evaluation (the file
/// decides, not the record's `partition` field); `manifest.json`, when present, gives the
/// policy and the isolation cost. Other files are ignored.
///
/// Cost: the evaluation side is indexed in memory (~1 KB a record); the training side and the
/// `--against` files are streamed past it on ``AuditOptions/threads`` threads, so memory does
/// not grow with training.
public enum Audit {
    /// The training file of a split directory (HeldoutCore's `SplitDirectory` names it).
    public static let trainingFile = SplitDirectory.train
    /// The evaluation files, dev and test: the file decides a record's side, not its `partition` field.
    public static let evaluationFiles = SplitDirectory.evaluationFiles

    /// Audits the split in `directory`. Throws `HeldoutError.badInput` (exit 3) for a
    /// missing directory, a malformed line (file and line named) or a malformed manifest.
    /// `progress` is called with the name of each phase as it begins (for stage timings).
    public static func run(directory: String, store: (any AuditSegmentSource)?, options: AuditOptions = AuditOptions(),
                           progress: ((String) -> Void)? = nil) throws -> AuditReport {
        try options.validate()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HeldoutError.badInput(SourceLocation(file: directory), "no such directory (expected a split directory with train.jsonl, dev.jsonl, test.jsonl)")
        }
        let dir = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        // The manifest, read once and typed: policy and thresholds here, its sections for the report below.
        var policy = options.policy
        var threshold = options.nearDuplicateThreshold
        var shingle = options.shingle
        var shingleSize = options.shingleSize
        let manifest = try SplitManifest.read(directory: dir)
        if let manifest {
            let manifestPath = path(SplitDirectory.manifest)
            if policy == nil { policy = try AuditPolicy(manifest: manifest) }
            // What the split declares it tied (`near_duplicates`), or an isolation block's threshold.
            let declared = manifest.nearDuplicates
            if threshold == nil, let t = declared?.threshold ?? manifest.isolation.flatMap(\.settingsThreshold) {
                threshold = t
            }
            if shingle == nil, let kind = declared?.shingle {
                guard let k = ShingleKind(rawValue: kind) else {
                    throw HeldoutError.badInput(SourceLocation(file: manifestPath),
                                                "near_duplicates.shingle: \(kind) is not \(ShingleKind.allCases.map(\.rawValue).joined(separator: " or "))")
                }
                shingle = k
            }
            if shingleSize == nil, let n = declared?.size { shingleSize = n }
        }
        var resolved = options
        resolved.nearDuplicateThreshold = threshold ?? 0.8
        resolved.shingle = shingle ?? .word
        resolved.shingleSize = shingleSize ?? 1
        resolved.policy = policy ?? .all
        try resolved.validate()

        var notes: [String] = []
        var inputs: [AuditInput] = []
        // Evaluation side, in memory.
        var evaluation: [EvalRecord] = []
        var evalFindings = Findings(cap: resolved.maxListedLeaksPerRule)
        let evalFiles = evaluationFiles.filter(exists)
        guard !evalFiles.isEmpty || exists(trainingFile) else {
            throw HeldoutError.badInput(SourceLocation(file: directory), "no train.jsonl, dev.jsonl or test.jsonl here: not a split directory")
        }
        if evalFiles.isEmpty { notes.append("no dev.jsonl or test.jsonl: nothing to audit against training") }
        progress?("evaluation records")
        for name in evalFiles {
            let partition = String(name.dropLast(".jsonl".count))
            var n = 0
            try forEachRecord(path: path(name), displayName: name) { record, line in
                let column = record.column ?? "(none)"
                evalFindings.count(record, column: column, partition: partition)
                evaluation.append(EvalRecord(ref: RecordRef(file: name, line: line, column: column, partition: partition, record: record, text: nil)))
                n += 1
            }
            inputs.append(AuditInput(file: name, side: "evaluation", format: "jsonl", records: n))
        }
        if store == nil {
            notes.append("no store: translations (alignment groups) and documents of store segments were not checked; records' own `documents` were")
        }
        progress?("evaluation index")
        let index = EvaluationIndex(options: resolved, threshold: resolved.nearDuplicateThreshold ?? 0.8)
        try index.build(evaluation, store: store, progress: progress)
        evaluation = []

        var findings = evalFindings
        let finalPolicy = resolved.policy ?? .all
        progress?("training records")
        if exists(trainingFile) {
            let (f, n) = try streamTraining(path: path(trainingFile), displayName: trainingFile, index: index, policy: finalPolicy, threads: resolved.threads)
            findings.merge(f)
            inputs.append(AuditInput(file: trainingFile, side: "training", format: "jsonl", records: n))
        } else {
            notes.append("no train.jsonl: only --against files were checked")
        }
        for file in resolved.against {
            var (f, format, n) = try streamAgainst(path: file, index: index, policy: finalPolicy)
            f.nearest = []   // the nearest *training* similarity: outside data is not training
            findings.merge(f)
            inputs.append(AuditInput(file: file, side: "against", format: format, records: n))
            if format == "tmx" { notes.append("\(file): TMX read by a minimal scan of <seg> text (inline tags dropped), not the ingest module's TMX reader") }
        }
        progress?("report")
        var made = report(findings, index: index, inputs: inputs, storeUsed: store != nil, options: resolved,
                          policy: finalPolicy, isolationCost: manifest?.isolationCost, notes: notes)
        // Sections the report repeats as the split wrote them.
        if let manifest {
            made.quotas = manifest.quotas
            made.dropped = manifest.dropped
            made.split = splitFacts(manifest: manifest, specYAML: exists(SplitDirectory.spec) ? (try? String(contentsOfFile: path(SplitDirectory.spec), encoding: .utf8)) : nil)
        }
        if exists("dropped.jsonl") { made.droppedExamples = try droppedExamples(path: path("dropped.jsonl")) }
        return made
    }

    /// Writes `audit.json` and `audit.html` into `directory`, each whole or not at all
    /// (written beside and renamed).
    public static func write(_ report: AuditReport, to directory: String) throws {
        let dir = URL(fileURLWithPath: directory)
        try jsonData(report).write(to: dir.appendingPathComponent("audit.json"), options: .atomic)
        try Data(AuditHTML.render(report).utf8).write(to: dir.appendingPathComponent("audit.html"), options: .atomic)
    }

    /// The bytes of `audit.json`: canonical JSON and a final newline (one definition, for
    /// `audit` writing it and for `publish`/`verify` shipping or comparing it).
    public static func jsonData(_ report: AuditReport) throws -> Data {
        var json = try CanonicalJSON.data(report)
        json.append(0x0A)
        return json
    }

    // MARK: - Reading

    /// Calls `body` with every record of a JSONL file (blank lines skipped), in order.
    static func forEachRecord(path: String, displayName: String, _ body: (DatasetRecord, Int) throws -> Void) throws {
        let reader = try LineChunkReader(path: path)
        while let chunk = try reader.next() {
            for k in chunk.lines.indices {
                let line = chunk.firstLine + k
                let parsed = try chunk.withLine(k) { (bytes) throws -> DatasetRecord? in
                    if isBlank(bytes) { return nil }
                    do { return try JSONLineParser.record(bytes) } catch let error as JSONLineParser.Failure {
                        throw HeldoutError.badInput(SourceLocation(file: path, line: line, column: error.column),
                                                    "not a JSON record: \(error.reason)")
                    }
                }
                if let parsed { try body(parsed, line) }
            }
        }
    }

    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// Shared state of the threads streaming one file.
    private final class Stream: @unchecked Sendable {
        let lock = NSLock()
        let reader: LineChunkReader
        var findings: Findings
        var records = 0
        var failure: (line: Int, error: Error)?

        init(reader: LineChunkReader, cap: Int) {
            self.reader = reader
            findings = Findings(cap: cap)
        }

        func nextChunk() -> LineChunkReader.Chunk? {
            lock.lock()
            defer { lock.unlock() }
            guard failure == nil else { return nil }
            do { return try reader.next() } catch {
                failure = (Int.max, error)
                return nil
            }
        }

        func fail(line: Int, _ error: Error) {
            lock.lock()
            defer { lock.unlock() }
            // The earliest bad line wins, whichever thread met it first: chunks are handed out
            // in order, so every chunk before it has been read whole.
            if let earlier = failure, earlier.line <= line { return }
            failure = (line, error)
        }
    }

    /// Streams the training file on `threads` threads: parse, probe, merge.
    static func streamTraining(path: String, displayName: String, index: EvaluationIndex, policy: AuditPolicy,
                               threads: Int) throws -> (Findings, Int) {
        let stream = Stream(reader: try LineChunkReader(path: path), cap: index.options.maxListedLeaksPerRule)
        let clean = CleanTexts()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let prober = Prober(index: index, policy: policy, clean: clean)
            var count = 0
            outer: while let chunk = stream.nextChunk() {
                for k in chunk.lines.indices {
                    let line = chunk.firstLine + k
                    do {
                        let record = try chunk.withLine(k) { (bytes) throws -> DatasetRecord? in
                            if isBlank(bytes) { return nil }
                            return try JSONLineParser.record(bytes)
                        }
                        guard let record else { continue }
                        prober.probe(record: record, file: displayName, line: line)
                        count += 1
                    } catch let error as JSONLineParser.Failure {
                        stream.fail(line: line, HeldoutError.badInput(SourceLocation(file: path, line: line, column: error.column),
                                                                      "not a JSON record: \(error.reason)"))
                        break outer
                    } catch {
                        stream.fail(line: line, error)
                        break outer
                    }
                }
            }
            stream.lock.lock()
            stream.findings.merge(prober.findings)
            stream.records += count
            stream.lock.unlock()
        }
        if let failure = stream.failure { throw failure.error }
        return (stream.findings, stream.records)
    }

    /// Outside data: JSONL (every string of each line), TMX (`<seg>` texts of each `<tu>`),
    /// or plain text (each line). Read on one thread.
    static func streamAgainst(path: String, index: EvaluationIndex, policy: AuditPolicy) throws -> (Findings, String, Int) {
        let format = try detectFormat(path)
        let prober = Prober(index: index, policy: policy)
        let column = "against:" + URL(fileURLWithPath: path).lastPathComponent
        var count = 0
        switch format {
        case "tmx":
            try TMXScanner.forEachUnit(path: path) { texts, line in
                prober.probe(outside: texts, file: path, line: line, column: column)
                count += 1
            }
        default:
            let reader = try LineChunkReader(path: path)
            while let chunk = try reader.next() {
                for k in chunk.lines.indices {
                    let line = chunk.firstLine + k
                    let texts = try chunk.withLine(k) { (bytes) throws -> [String]? in
                        if isBlank(bytes) { return nil }
                        if format == "jsonl" {
                            do { return try JSONLineParser.strings(bytes) } catch let error as JSONLineParser.Failure {
                                throw HeldoutError.badInput(SourceLocation(file: path, line: line, column: error.column),
                                                            "not JSON: \(error.reason) (use a .txt name for plain text)")
                            }
                        }
                        guard let s = String(validating: bytes, as: UTF8.self) else {
                            throw HeldoutError.badInput(SourceLocation(file: path, line: line), "not UTF-8 text")
                        }
                        return [s]
                    }
                    guard let texts else { continue }
                    prober.probe(outside: texts, file: path, line: line, column: column)
                    count += 1
                }
            }
        }
        return (prober.findings, format, count)
    }

    /// `.tmx` → tmx; `.jsonl`/`.json`/`.ndjson` → jsonl; otherwise jsonl when the first
    /// non-blank line starts with `{`, else plain text.
    static func detectFormat(_ path: String) throws -> String {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        if ext == "tmx" { return "tmx" }
        if ["jsonl", "json", "ndjson"].contains(ext) { return "jsonl" }
        let reader = try LineChunkReader(path: path)
        while let chunk = try reader.next(maxLines: 64) {
            for k in chunk.lines.indices {
                let first = chunk.withLine(k) { $0.first { $0 != 0x20 && $0 != 0x09 } }
                if let first { return first == UInt8(ascii: "{") ? "jsonl" : (first == UInt8(ascii: "<") && ext == "xml" ? "tmx" : "text") }
            }
        }
        return "text"
    }

    // MARK: - Split facts

    /// Name, variant, tool, spec digest and roles from the manifest; seed and axis from the
    /// `spec.yaml` the split wrote (one `key: value` line each); the date from `SOURCE_DATE_EPOCH`.
    static func splitFacts(manifest: SplitManifest, specYAML: String?) -> SplitFacts {
        var facts = SplitFacts(name: manifest.name, variant: manifest.variant, specDigest: manifest.inputs?.spec,
                               toolVersion: manifest.tool?.version, roles: manifest.roles ?? [:],
                               evaluationRoles: manifest.evaluationRoles ?? [:], domains: manifest.domains)
        for line in (specYAML ?? "").split(separator: "\n") where !line.hasPrefix(" ") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if parts[0] == "seed" { facts.seed = value }
            if parts[0] == "axis" { facts.axis = value }
        }
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(epoch) {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            facts.date = formatter.string(from: Date(timeIntervalSince1970: seconds))
        }
        return facts
    }

    /// The first ``AuditReport/droppedExamplesPerColumn`` lines of `dropped.jsonl` per column,
    /// with their line numbers. The file is read to its end (a few seconds at a million lines),
    /// but only the lines of columns not yet full are decoded.
    static func droppedExamples(path: String) throws -> [DroppedExample] {
        var out: [DroppedExample] = []
        var perColumn: [String: Int] = [:]
        let cap = AuditReport.droppedExamplesPerColumn
        let columnKey = Array("\"column\":\"".utf8)
        try forEachLine(path: path) { bytes, line in
            // The column without decoding the line: `"column":"NAME"` (canonical JSON, no escapes
            // in column names the spec allows).
            guard let start = find(columnKey, in: bytes) else { return }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
            let column = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            guard perColumn[column, default: 0] < cap else { return }
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw HeldoutError.badInput(SourceLocation(file: path, line: line), "not a JSON object")
            }
            perColumn[column, default: 0] += 1
            out.append(DroppedExample(line: line, id: object["id"] as? String ?? "", column: column,
                                      reason: object["reason"] as? String ?? "", link: object["link"] as? String,
                                      partner: object["partner"] as? String))
        }
        return out
    }

    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        outer: for i in 0...(bytes.count - needle.count) {
            for k in needle.indices where bytes[i + k] != needle[k] { continue outer }
            return i + needle.count
        }
        return nil
    }

    static func forEachLine(path: String, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let reader = try LineChunkReader(path: path)
        while let chunk = try reader.next() {
            for k in chunk.lines.indices {
                try chunk.withLine(k) { (bytes) throws -> Void in
                    if !isBlank(bytes) { try body(bytes, chunk.firstLine + k) }
                }
            }
        }
    }

    // MARK: - Report

    /// Each evaluation record's nearest training similarity, bucketed per column.
    static func nearest(_ f: Findings, index: EvaluationIndex, options: AuditOptions) -> NearestSimilarity? {
        guard f.nearest.count == index.segments.count, !index.records.isEmpty else { return nil }
        // Per record: -3 no segment, -2 only segments too short for MinHash, -1 none compared.
        var best = [Float](repeating: -3, count: index.records.count)
        for (s, segment) in index.segments.enumerated() {
            var value = f.nearest[s]
            if value < 0 && segment.shingles.count < options.minimumShingles { value = -2 }
            for r in index.segmentRecords[segment.records] where value > best[Int(r)] { best[Int(r)] = value }
        }
        let threshold = options.nearDuplicateThreshold ?? 0.8
        var counts: [String: [String: Int]] = [:]
        var above = 0
        for (r, value) in best.enumerated() {
            let bucket: String
            switch value {
            case ..<(-2.5): bucket = "no text"
            case ..<(-1.5): bucket = "short"
            case ..<0: bucket = "none"
            case 1...: bucket = "1.0"
            default: bucket = String(format: "%.1f", (Double(value) * 10 + 1e-5).rounded(.down) / 10)   // Float 0.7 is 0.69999…
            }
            if value >= 0 && Double(value) >= threshold - 1e-6 { above += 1 }
            counts[index.records[r].ref.column, default: [:]][bucket, default: 0] += 1
        }
        return NearestSimilarity(threshold: threshold, counts: counts, atOrAbove: above,
                                 bands: options.minhashBands, rows: options.minhashRows)
    }

    /// Label histograms of columns with more than this many distinct short answers are folded
    /// into one `(many distinct answers)` value: they are glosses, not classes.
    static let maximumLabels = 40

    static func report(_ f: Findings, index: EvaluationIndex, inputs: [AuditInput], storeUsed: Bool, options: AuditOptions,
                       policy: AuditPolicy, isolationCost: SplitManifest.IsolationCost?, notes: [String]) -> AuditReport {
        var findings = f
        var notes = notes
        // Answers: one leak per evaluation record and training column, unless the answer is
        // quoted so widely in training that it is a common phrase, not this item's gold.
        var quoted: [Int32: Int] = [:]
        for (hit, agg) in findings.keyHits where hit.rule == .answerLeak { quoted[hit.entry, default: 0] += agg.count }
        let common = quoted.values.filter { $0 > options.answerMaximumRecords }.count
        if common > 0 {
            notes.append("answer_leak: \(common) evaluation answer(s) quoted by more than \(options.answerMaximumRecords) training records were taken as common phrases, not counted")
        }
        if index.unspecificAnswers + index.commonAnswers > 0 {
            notes.append("answer_leak: \(index.unspecificAnswers) evaluation answer(s) not specific enough to leak (function words, numbers, short words) and \(index.commonAnswers) shared by more than \(options.answerMaximumRecords) evaluation records (a template's labels) were not looked for")
        }
        for (hit, agg) in findings.keyHits where hit.rule == .answerLeak {
            guard (quoted[hit.entry] ?? 0) <= options.answerMaximumRecords else { continue }
            let evaluation = index.records[Int(hit.entry)].ref
            var e = Evidence()
            e.answer = evaluation.record?.answer
            e.trainingText = agg.detail
            e.trainingRecords = agg.count
            findings.add(Leak(rule: .answerLeak, enforced: policy.isEnforced(.answerLeak), training: agg.example,
                              evaluation: evaluation, evidence: e))
        }
        // Key rules: one leak per shared key and column pair.
        for (hit, agg) in findings.keyHits where hit.rule != .answerLeak {
            let key: String
            let records: [Int32]
            switch hit.rule {
            case .translation:
                let closure = index.closures[Int(hit.entry)]
                key = closure.group.hex
                records = closure.records
            case .sameDocument:
                key = index.documents[Int(hit.entry)].key
                records = index.documents[Int(hit.entry)].records
            case .sameLexeme:
                key = index.lexemes[Int(hit.entry)].key
                records = index.lexemes[Int(hit.entry)].records
            default:
                key = index.groups[Int(hit.entry)].key
                records = index.groups[Int(hit.entry)].records
            }
            var byColumn: [String: (count: Int, example: RecordRef, position: Int)] = [:]
            for (position, r) in records.enumerated() {
                let ref = index.records[Int(r)].ref
                if let old = byColumn[ref.column] {
                    let better = (ref.key, ref.file, ref.line) < (old.example.key, old.example.file, old.example.line)
                    byColumn[ref.column] = (old.count + 1, better ? ref : old.example, better ? position : old.position)
                } else {
                    byColumn[ref.column] = (1, ref, position)
                }
            }
            for (_, value) in byColumn {
                var e = Evidence()
                switch hit.rule {
                case .translation:
                    e.group = key
                    let segment = index.segments[Int(index.closures[Int(hit.entry)].segments[value.position])]
                    e.segment = segment.id?.hex
                    e.evaluationText = segment.text
                    e.translationSegment = agg.detail
                    e.trainingText = agg.example.record?.source?.text ?? agg.example.text
                case .sameDocument: e.document = key
                case .sameLexeme: e.lexeme = key
                default: e.consistencyGroup = key
                }
                e.trainingRecords = agg.count
                e.evaluationRecords = value.count
                findings.add(Leak(rule: hit.rule, enforced: policy.isEnforced(hit.rule), training: agg.example,
                                  evaluation: value.example, evidence: e))
            }
        }
        var counts: [LeakCount] = findings.pairCounts.map {
            LeakCount(trainingColumn: $0.key.training, evaluationColumn: $0.key.evaluation, rule: $0.key.rule,
                      enforced: policy.isEnforced($0.key.rule), count: $0.value)
        }
        counts.sort { ($0.trainingColumn, $0.evaluationColumn, $0.rule.rawValue) < ($1.trainingColumn, $1.evaluationColumn, $1.rule.rawValue) }
        var leaks: [Leak] = []
        var unlisted: [String: Int] = [:]
        var totals: [LeakRule: Int] = [:]
        for c in counts { totals[c.rule, default: 0] += c.count }
        for rule in LeakRule.allCases {
            findings.prune(rule)
            let list = (findings.leaks[rule] ?? []).sorted(by: Leak.ordered)
            leaks.append(contentsOf: list)
            let missing = (totals[rule] ?? 0) - list.count
            if missing > 0 { unlisted[rule.rawValue] = missing }
        }
        let enforced = counts.filter(\.enforced).reduce(0) { $0 + $1.count }
        // Label balance only where answers are classes: a column with many distinct short
        // answers keeps one bar for them (and audit.json stays small whatever the split's size).
        // A column a thread already folded is folded whole.
        var labelValues: [String: Set<String>] = [:]
        var folded: Set<String> = []
        for key in findings.histograms.keys where key.field == "label" {
            if key.value == Findings.manyLabels { folded.insert(key.column) }
            if !key.value.hasPrefix("(") { labelValues[key.column, default: []].insert(key.value) }
        }
        for (column, values) in labelValues where values.count > maximumLabels { folded.insert(column) }
        for column in folded.sorted() { findings.foldLabels(of: column) }
        let histograms = Dictionary(grouping: findings.histograms, by: { HistogramID(field: $0.key.field, column: $0.key.column, partition: $0.key.partition) })
            .map { id, values in
                Histogram(field: id.field, column: id.column, partition: id.partition,
                          counts: Dictionary(uniqueKeysWithValues: values.map { ($0.key.value, $0.value) }))
            }
            .sorted { ($0.field, $0.column, partitionOrder($0.partition)) < ($1.field, $1.column, partitionOrder($1.partition)) }
        var reportOptions = options
        reportOptions.against = []
        reportOptions.policy = nil
        var made = AuditReport(inputs: inputs, storeUsed: storeUsed, policy: policy, options: reportOptions, counts: counts,
                               leaks: leaks, unlisted: unlisted, enforcedLeaks: enforced, histograms: histograms,
                               isolationCost: isolationCost, notes: notes)
        made.nearest = nearest(findings, index: index, options: options)
        return made
    }

    private struct HistogramID: Hashable { var field: String; var column: String; var partition: String }

    static func partitionOrder(_ p: String) -> String {
        switch p {
        case "train": "0"
        case "dev": "1"
        case "test": "2"
        default: "3" + p
        }
    }
}
